import { createHarness, type Harness } from '../testing/harness';

// logIn through the schema as the server runs it, from the client address given per call.
// Small per-day budgets so the test stays quick; the per-pair limit is the default (10).
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { LOGIN_FAILS_PER_ACCOUNT_PER_DAY: 15, LOGIN_FAILS_PER_ADDRESS_PER_DAY: 20 } });
});
afterAll(async () => {
  await h.close();
});

const PASSWORD = 'correct horse 42'; // the harness's sign-up password
type Result = { errors?: readonly { extensions?: Record<string, unknown> }[] };
const logIn = (email: string, password: string, ip: string) =>
  h.gql('mutation($e: String!, $p: String!){ logIn(email: $e, password: $p){ token } }', { e: email, p: password }, null, ip);
const outcome = (r: Result) => (r.errors?.[0] ? `${r.errors[0].extensions?.code}/${r.errors[0].extensions?.reason ?? ''}` : 'OK');

test('10 failures in a row for one account from one address: that address waits 15 minutes; others are not affected', async () => {
  const { email } = await h.signUp('Pair');
  for (let i = 0; i < 10; i++)
    expect(outcome(await logIn(email, `guess ${i}`, '203.0.113.1'))).toBe('UNAUTHENTICATED/WRONG_CREDENTIALS');
  const refused = await logIn(email, PASSWORD, '203.0.113.1');
  expect(outcome(refused)).toBe('RATE_LIMITED/TOO_MANY_LOGIN_FAILURES');
  const wait = refused.errors![0]!.extensions!.retryAfterSeconds as number;
  expect(wait).toBeGreaterThan(14 * 60);
  expect(wait).toBeLessThanOrEqual(15 * 60);
  expect(outcome(await logIn(email, PASSWORD, '192.0.2.1'))).toBe('OK');
});

test('a success resets the consecutive count', async () => {
  const { email } = await h.signUp('Reset');
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 9; i++) await logIn(email, `typo ${i}`, '198.51.100.9');
    expect(outcome(await logIn(email, PASSWORD, '198.51.100.9'))).toBe('OK');
  }
});

test('a guess spread over rotating addresses is stopped per account; the owner still gets in from an address they used', async () => {
  const { email } = await h.signUp('Owner');
  expect(outcome(await logIn(email, PASSWORD, '192.0.2.10'))).toBe('OK'); // the owner, at home
  for (let i = 1; i <= 15; i++)
    expect(outcome(await logIn(email, `guess ${i}`, `203.0.113.${100 + i}`))).toBe('UNAUTHENTICATED/WRONG_CREDENTIALS');
  // Budget spent: a fresh address is refused before the password is checked, even the right one.
  const fresh = await logIn(email, PASSWORD, '203.0.113.200');
  expect(outcome(fresh)).toBe('RATE_LIMITED/TOO_MANY_LOGIN_FAILURES');
  expect(fresh.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(23 * 3600);
  // The owner, from home: in.
  expect(outcome(await logIn(email, PASSWORD, '192.0.2.10'))).toBe('OK');
  // Other accounts are untouched.
  const other = await h.signUp('Other');
  expect(outcome(await logIn(other.email, PASSWORD, '203.0.113.201'))).toBe('OK');
});

test('one address failing across many accounts (credential stuffing) is refused for a day', async () => {
  const outcomes = [];
  for (let i = 0; i < 21; i++) outcomes.push(outcome(await logIn(`nobody${i}@example.com`, 'password 1', '198.51.100.77')));
  expect(outcomes.slice(0, 20).every((o) => o === 'UNAUTHENTICATED/WRONG_CREDENTIALS')).toBe(true);
  expect(outcomes[20]).toBe('RATE_LIMITED/TOO_MANY_LOGIN_FAILURES');
});
