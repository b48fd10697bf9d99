import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from './testing/harness';

// Every field people type goes through @pixtale/shared's normalizeUserText on the way in:
// controls and bidi controls are stripped, NFC applied, invisible-only text refused.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Err = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
const code = (r: Err) => r.errors?.[0]?.extensions?.code;

const RLO = '\u202E';
const INVISIBLE_ONLY = ['\u200B\u200B\u200B', `${RLO}\u2066\u200F`, '\u200D\u200D', '\u3164', '\uFEFF\u2800'];
const FAMILY = '👩‍👩‍👧';
const SIGN_UP =
  'mutation($e:String!,$n:String!){ signUp(email:$e,password:"correct horse 42",displayName:$n){ user { displayName } } }';
const EDIT = 'mutation($id:ID!,$t:String!){ editCaption(postId:$id,text:$t){ caption { text } } }';
const TOKEN = 'mutation($n:String!){ createApiToken(name:$n, scope: READ){ name } }';
let n = 0;
const signUp = (name: string) =>
  h.gql<{ signUp: { user: { displayName: string } } }>(SIGN_UP, { e: `text${++n}@example.com`, n: name });

describe('display names', () => {
  test('invisible-only names are refused with BAD_USER_INPUT and a clear message', async () => {
    for (const name of INVISIBLE_ONLY) {
      const r = await signUp(name);
      expect(code(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).toBe(
        'Display name must contain visible characters (invisible and control characters are removed)',
      );
    }
  });

  test('RLO, NUL and BEL are stripped; NFC applied; emoji ZWJ sequences kept', async () => {
    const r = await signUp(`Eve${RLO}\u0000\u0007 Cafe\u0301 ${FAMILY}`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.signUp.user.displayName).toBe(`Eve Café ${FAMILY}`);
  });
});

describe('captions', () => {
  let token: string;
  let postId: string;
  beforeAll(async () => {
    ({ token } = await h.signUp('Captioner'));
    const r = await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(await makeJpeg()) }, token);
    postId = r.data!.createPost.id;
  });

  test('an invisible-only caption is refused at upload and on edit', async () => {
    for (const text of INVISIBLE_ONLY) {
      const up = await h.gql(CREATE_POST, { image: uploadOf(await makeJpeg()), caption: text }, token);
      expect(code(up)).toBe('BAD_USER_INPUT');
      const edit = await h.gql(EDIT, { id: postId, t: text }, token);
      expect(code(edit)).toBe('BAD_USER_INPUT');
      expect(edit.errors![0]!.message).toMatch(/^Caption must contain visible characters/);
    }
    expect(await h.app.deps.store.captions.listByPosts([postId])).toEqual([]);
  });

  test('edits are stored without controls or bidi overrides, in NFC, emoji intact', async () => {
    const r = await h.gql<{ editCaption: { caption: { text: string } } }>(
      EDIT,
      { id: postId, t: `holiday ${RLO}gpj.exe\u0007 cafe\u0301 ${FAMILY}` },
      token,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.editCaption.caption.text).toBe(`holiday gpj.exe café ${FAMILY}`);
  });
});

test('API token names: invisible-only refused, controls stripped', async () => {
  const { token } = await h.signUp('Tokens');
  expect(code(await h.gql(TOKEN, { n: '\u200B' }, token))).toBe('BAD_USER_INPUT');
  const r = await h.gql<{ createApiToken: { name: string } }>(TOKEN, { n: `ci${RLO}\u0000 bot` }, token);
  expect(r.data!.createApiToken.name).toBe('ci bot');
});
