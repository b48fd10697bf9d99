import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { captionerUnavailableReason } from '../caption/captioner';
import { testEnv } from '../env';
import type { Server } from '../server';
import { startModelServer, testPhotos } from '../testing/harness';
import { translatorUnavailableReason } from '../translation/translator';

// End to end with the REAL captioner and the REAL translator over HTTP and graphql-ws: upload ->
// model caption READY -> de/fr/cs translations pushed by postUpdated -> edit -> the new version is
// translated. Nothing is faked; without either model the test is reported as skipped with the reason.
const env0 = testEnv();
const reason = captionerUnavailableReason(env0.PIXTALE_MODELS_DIR) ?? translatorUnavailableReason(env0.PIXTALE_MODELS_DIR);
if (reason) console.warn(`translation e2e skipped: ${reason}`);
const TIMEOUT = 600_000;

type Json = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Live = {
  captionStatus: string;
  caption: { id: string; text: string } | null;
  translations: { language: string; text: string; captionId: string }[];
};

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Json> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Json;
}

const LIVE = 'captionStatus caption { id text } translations { language text captionId }';
const translated = (p: Live) =>
  p.captionStatus === 'READY' && !!p.caption && p.translations.filter((t) => t.captionId === p.caption!.id).length === 3;

/** Follows postUpdated until `done` holds (checking the current state too, in case it already does). */
async function until(
  server: Server,
  client: Client,
  id: string,
  done: (p: Live) => boolean,
): Promise<{ post: Live; events: number }> {
  const sub = client.iterate<{ postUpdated: Live }>({
    query: `subscription($id: ID!) { postUpdated(postId: $id) { ${LIVE} } }`,
    variables: { id },
  });
  let events = 0;
  try {
    const now = (await gql(server.url, `query($id: ID!) { post(id: $id) { ${LIVE} } }`, { id })).data!.post as Live;
    if (done(now)) return { post: now, events };
    for await (const ev of sub) {
      events++;
      const p = ev.data!.postUpdated;
      if (p.captionStatus === 'FAILED') throw new Error('captioning failed');
      if (done(p)) return { post: p, events };
    }
    throw new Error('subscription ended');
  } finally {
    await sub.return?.();
  }
}

(reason ? describe.skip : describe)(
  `${reason ? `PENDING (${reason}): ` : ''}upload -> caption READY -> translations, live`,
  () => {
    let server: Server;
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ server, close: stop } = await startModelServer({ translator: true }));
    });
    afterAll(() => stop?.());

    test(
      'the model caption and then each edit are translated into de, fr and cs, pushed over graphql-ws',
      async () => {
        const token = (
          await gql(
            server.url,
            'mutation($e:String!){ signUp(email:$e, password:"e2e password 1", displayName:"E2E"){ token } }',
            {
              e: `tr${Date.now()}@example.com`,
            },
          )
        ).data!.signUp.token as string;
        const bytes = (await testPhotos(3, env0))[2]!.bytes;
        const form = new FormData();
        form.append(
          'operations',
          JSON.stringify({ query: 'mutation($image: Upload!){ createPost(image: $image) { id } }', variables: { image: null } }),
        );
        form.append('map', JSON.stringify({ 0: ['variables.image'] }));
        form.append('0', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
        const up = (await (
          await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
            body: form,
          })
        ).json()) as Json;
        const id = up.data!.createPost.id as string;

        const client = createClient({
          url: `${server.url.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
        });
        try {
          const first = await until(server, client, id, translated);
          expect(first.post.translations.map((t) => t.language)).toEqual(['de', 'fr', 'cs']);
          for (const t of first.post.translations) expect(t.text.trim()).not.toBe('');
          console.log(
            `"${first.post.caption!.text}" -> ${first.post.translations.map((t) => `${t.language}: "${t.text}"`).join(', ')}`,
          );

          const edited = await gql(
            server.url,
            'mutation($id: ID!) { editCaption(postId: $id, text: "Two dogs run across a green field.") { caption { id } translations { language } } }',
            { id },
            token,
          );
          expect(edited.data!.editCaption.translations).toEqual([]); // the new version is not translated yet
          const v2 = edited.data!.editCaption.caption.id as string;
          const second = await until(server, client, id, (p) => translated(p) && p.caption!.id === v2);
          expect(second.post.translations.every((t) => t.captionId === v2)).toBe(true);

          const cs = await gql(
            server.url,
            'query($id: ID!) { post(id: $id) { caption(language: "cs") { id text language version source } } }',
            { id },
          );
          expect(cs.data!.post.caption).toEqual({
            id: `${v2}:cs`,
            text: second.post.translations[2]!.text,
            language: 'cs',
            version: 2,
            source: 'USER',
          });
        } finally {
          await client.dispose();
        }
      },
      TIMEOUT,
    );
  },
);
