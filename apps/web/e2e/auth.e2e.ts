import type { Browser } from 'playwright-core';
import { createUser, gql, launch, logIn, newPage, uniqueEmail, visible as expectVisible } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('auth', () => {
  it('redirects protected pages to log in, then back after logging in', async () => {
    const user = await createUser('Redirected');
    const { context, page } = await newPage(browser);
    for (const path of ['/upload', '/analytics', '/account']) {
      await page.goto(path);
      await page.waitForURL(/\/login\?callbackUrl=/);
      expect(new URL(page.url()).searchParams.get('callbackUrl')).toBe(path);
    }
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/account');
    await expectVisible(page.getByRole('heading', { name: 'Account' }));
    await context.close();
  });

  it('hides "Sign in with Google" when GOOGLE_CLIENT_ID/SECRET are not set', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    await expectVisible(page.getByRole('heading', { name: 'Log in to Pixtale' }));
    expect(await page.getByRole('button', { name: /google/i }).count()).toBe(0);
    const providers = (await (await page.request.get('/api/auth/providers')).json()) as Record<string, unknown>;
    expect(Object.keys(providers)).toEqual(['credentials']);
    await context.close();
  });

  it('signs up with validation, shows the user, logs out', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/signup');
    // Client-side validation first: nothing is sent.
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectVisible(page.getByText('Tell us what to call you.'));
    await expectVisible(page.getByText(/Enter an email address/));
    await page.getByLabel('Display name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(uniqueEmail('ada'));
    // The strength meter judges the password as it is typed (zxcvbn-ts, loaded with the form).
    const meter = page.getByTestId('password-strength');
    for (const weak of ['Passw0rd!', 'qwerty123!', '12345678a']) {
      await page.getByLabel('Password').fill(weak);
      await expectVisible(meter.getByText(/too easy to guess/));
    }
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectVisible(page.getByText(/This password is too easy to guess/));
    await page.getByLabel('Password').fill('analytical-engine-1843');
    await expectVisible(meter.getByText(/^Strong$|^Very strong$/));
    expect(await meter.getByText(/too easy to guess/).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expectVisible(page.getByRole('heading', { name: 'Latest photos' }));
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Ada Lovelace');

    // Log out ends the API session too: the token this browser held is refused afterwards.
    const { apiToken } = (await (await page.request.get('/api/auth/session')).json()) as { apiToken: string };
    expect((await gql<{ me: { displayName: string } }>('{ me { displayName } }', {}, apiToken)).me.displayName).toBe(
      'Ada Lovelace',
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await expect(gql('{ me { id } }', {}, apiToken)).rejects.toThrow(/UNAUTHENTICATED/);
    await page.goto('/account');
    await page.waitForURL(/\/login\?callbackUrl=%2Faccount/);
    await context.close();
  });

  it("the API refuses a weak password typed past the form (WEAK_PASSWORD with the estimator's advice)", async () => {
    for (const p of ['Passw0rd!', 'qwerty123!', '12345678a']) {
      await expect(
        gql('mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, displayName: "Weak") { token } }', {
          e: uniqueEmail('weak'),
          p,
        }),
      ).rejects.toThrow(/BAD_USER_INPUT: Password is too easy to guess/);
    }
  });

  it('"Log out everywhere" ends the sessions in other browsers, which are sent to log in', async () => {
    const user = await createUser('Two Browsers');
    const first = await newPage(browser);
    const second = await newPage(browser);
    await logIn(first.page, user, '/upload');
    await logIn(second.page, user, '/account');
    const { apiToken } = (await (await first.page.request.get('/api/auth/session')).json()) as { apiToken: string };

    await second.page.getByRole('button', { name: 'Log out everywhere' }).click();
    await second.page.getByRole('button', { name: 'Yes, log out everywhere' }).click();
    await second.page.waitForURL(/\/login/);
    await expect(gql('{ me { id } }', {}, apiToken)).rejects.toThrow(/UNAUTHENTICATED/);

    // The other browser still has its cookie; its first API call is refused and it signs out.
    await first.page.goto('/account');
    await first.page.waitForURL(/\/login\?error=/);
    await expectVisible(first.page.getByText(/Your session was ended/));
    await first.context.close();
    await second.context.close();
  });

  it('shows human messages for a duplicate email and a wrong password', async () => {
    const user = await createUser('Existing');
    const { context, page } = await newPage(browser);
    await page.goto('/signup');
    await page.getByLabel('Display name').fill('Someone Else');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('another-good-pass-9');
    await page.getByRole('button', { name: 'Sign up' }).click();
    const dup = page.getByRole('alert').filter({ hasText: /\S/ });
    await expectVisible(dup);
    expect(await dup.textContent()).toMatch(/already exists/);

    await page.goto('/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not-the-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    const wrong = page.getByRole('alert').filter({ hasText: /\S/ });
    await expectVisible(wrong);
    const text = (await wrong.textContent()) ?? '';
    expect(text).toMatch(/do not match/);
    expect(text).not.toMatch(/[{}]|UNAUTHENTICATED|extensions/);
    await context.close();
  });

  it('logs in with the keyboard only', async () => {
    const user = await createUser('Keyboard');
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    // Skip link first, then the header links, then the form.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let guard = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'auth-email' && guard++ < 10)
      await page.keyboard.press('Tab');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');
    await expectVisible(page.getByRole('button', { name: 'Log out' }));
    await context.close();
  });

  it('keeps the session across pages and reloads', async () => {
    const user = await createUser('Sticky');
    const { context, page } = await newPage(browser);
    await logIn(page, user, '/account');
    await page.reload();
    await expectVisible(page.getByText(user.email));
    await context.close();
  });
});
