import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { Upload } from 'graphql-upload-minimal';
import pino from 'pino';
import sharp from 'sharp';
import { operationDenied } from '../auth/auth.service';
import type { CaptionerProvider } from '../caption/captioner';
import type { TranslatorProvider } from '../translation/translator';
import { createContext, type Context } from '../context';
import { testEnv, type Env } from '../env';
import { getSchema } from '../schema';
import { lazyCaptioner } from '../caption/captioner';
import { appExecutor, createApp, createServer, type App, type Server } from '../server';
import { lazyTranslator } from '../translation/translator';
import { openSqliteStore } from '../store/sqlite/sqlite.store';

/** A test app on a fresh in-memory SQLite store and a temp data dir. */
export interface Harness {
  app: App;
  env: Env;
  schema: GraphQLSchema;
  dataDir: string;
  /** Runs an operation against the schema as the given bearer token (or anonymous). */
  gql<T = Record<string, unknown>>(
    source: string,
    variables?: Record<string, unknown>,
    token?: string | null,
    ip?: string,
  ): Promise<ExecutionResult<T>>;
  context(token?: string | null, ip?: string): Promise<Context>;
  /** Signs up a fresh user; returns its token and id. */
  signUp(name?: string): Promise<{ token: string; id: string; email: string }>;
  close(): Promise<void>;
}

export async function createHarness(
  opts: { env?: Partial<Env>; captioner?: CaptionerProvider; translator?: TranslatorProvider; logger?: pino.Logger } = {},
): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-api-'));
  const env = testEnv({ dataDir, API_PORT: 0, CAPTION_MAX_ATTEMPTS: 1, ...opts.env });
  const app = await createApp(env, {
    store: openSqliteStore(':memory:'),
    logger: opts.logger ?? pino({ level: 'silent' }),
    captioner: opts.captioner ?? (() => Promise.reject(new Error('no captioner in this test'))),
    translator: opts.translator,
  });
  const schema = await getSchema();
  const execute = appExecutor(schema, app.deps);
  const context = (token?: string | null, ip = '127.0.0.1') =>
    createContext(app.deps, { authorization: token ? `Bearer ${token}` : null, ip, userAgent: 'jest' });
  let n = 0;
  const h: Harness = {
    app,
    env,
    schema,
    dataDir,
    context,
    async gql(source, variables, token, ip) {
      // Like graphql(), but executed the way the server executes (graphql-jit, see execution.ts).
      let document: DocumentNode;
      try {
        document = parse(source);
      } catch (e) {
        return { errors: [e as GraphQLError] } as never;
      }
      const invalid = validate(schema, document);
      if (invalid.length) return { errors: invalid } as never;
      const contextValue = await context(token, ip);
      // As the server checks before running (server.ts): a READ token runs no mutation.
      const denied = operationDenied(contextValue.viewer, getOperationAST(document)!.operation);
      if (denied) return { errors: [denied] } as never;
      return execute({ document, variableValues: variables, contextValue }) as never;
    },
    async signUp(name = 'Ann') {
      const email = `${name.toLowerCase()}${++n}.${Date.now()}@example.com`;
      const r = await h.gql<{ signUp: { token: string; user: { id: string } } }>(
        'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token user { id } } }',
        { e: email, p: 'correct horse 42', n: name },
      );
      if (r.errors) throw r.errors[0];
      return { token: r.data!.signUp.token, id: r.data!.signUp.user.id, email };
    },
    async close() {
      await app.close();
      await app.deps.store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/**
 * The real API over HTTP and WebSockets for end-to-end tests: a free loopback port, an in-memory
 * store, a temp data dir, the worker on with the committed captioner (and translator when asked).
 * `close()` stops it and removes the data dir.
 */
export async function startModelServer(
  opts: { translator?: boolean } = {},
): Promise<{ server: Server; close: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-e2e-'));
  const env = testEnv({ dataDir, API_PORT: 0 });
  const server = await createServer(env, {
    host: '127.0.0.1',
    store: openSqliteStore(':memory:'),
    logger: pino({ level: 'silent' }),
    startWorker: true,
    captioner: lazyCaptioner({ modelsDir: env.PIXTALE_MODELS_DIR, threads: 2 }),
    ...(opts.translator ? { translator: lazyTranslator({ modelsDir: env.PIXTALE_MODELS_DIR }) } : {}),
  });
  return {
    server,
    close: async () => {
      await server.close();
      await server.app.deps.store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An `Upload` as graphql-upload-minimal would hand it to the resolver. */
export function uploadOf(bytes: Buffer, filename = 'photo.jpg', mimetype = 'image/jpeg'): Upload {
  const u = new Upload();
  (u as unknown as { resolve(file: unknown): void }).resolve({
    filename,
    mimetype,
    encoding: '7bit',
    fieldName: 'image',
    createReadStream: () => Readable.from([bytes]) as never,
  });
  return u;
}

const PALETTES: [string, string, string][] = [
  ['#3a7', '#fc4', '#c33'],
  ['#48c', '#eef', '#333'],
  ['#964', '#dc9', '#2a5'],
  ['#111', '#669', '#fd3'],
];

/** A small, real photo-like JPEG made with sharp (gradient + shapes), optionally with EXIF/GPS. */
export async function makeJpeg(
  opts: { width?: number; height?: number; exif?: boolean; orientation?: number; variant?: number } = {},
): Promise<Buffer> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 200;
  const v = opts.variant ?? 0;
  const [from, to, shape] = PALETTES[v % PALETTES.length]!;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${(width * (1 + (v % 3))) / 4}" cy="${height / 2}" r="${height / 4}" fill="${shape}"/></svg>`;
  let img = sharp(Buffer.from(svg)).jpeg({ quality: 90 });
  if (opts.exif || opts.orientation) {
    img = img.withMetadata({
      orientation: opts.orientation,
      exif: opts.exif
        ? {
            IFD0: { Make: 'PixtaleCam', Model: 'Secret Model 9' },
            IFD3: {
              GPSLatitudeRef: 'N',
              GPSLatitude: '48/1 51/1 2964/100',
              GPSLongitudeRef: 'E',
              GPSLongitude: '2/1 17/1 4057/100',
            },
          }
        : undefined,
    });
  }
  return img.toBuffer();
}

/**
 * `n` photos for tests that need images but not particular ones: Flickr8k photos when the datasets
 * are there, otherwise distinct JPEGs drawn with sharp, so a fresh clone runs these tests too.
 */
export async function testPhotos(n: number, env: Env = testEnv()): Promise<{ name: string; bytes: Buffer }[]> {
  const ds = datasetImages(env);
  if ('files' in ds) return ds.files.slice(0, n).map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) }));
  return Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      name: `drawn-${i}.jpg`,
      bytes: await makeJpeg({ width: 480, height: 360, variant: i }),
    })),
  );
}

/** Folder of real photos (Flickr8k) for tests, or null with the reason it is missing. */
export function datasetImages(env: Env = testEnv()): { files: string[] } | { reason: string } {
  const dir = path.join(env.PIXTALE_DATASETS_DIR, 'flickr8k', 'images');
  if (!fs.existsSync(dir)) return { reason: `no dataset at ${dir} (set PIXTALE_DATASETS_DIR)` };
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => path.join(dir, f));
  return files.length ? { files } : { reason: `no .jpg files in ${dir}` };
}

export const CREATE_POST = `mutation($image: Upload!, $caption: String) {
  createPost(image: $image, caption: $caption) { id captionStatus caption { text source version } width height imageUrl feedImageUrl }
}`;
