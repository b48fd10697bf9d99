import type { Browser } from 'playwright-core';
import { createUser, launch, logIn, newPage, uniqueEmail, visible as expectVisible } from './helpers';

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
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectVisible(page.getByText(/Password is too common|Password needs/));
    await page.getByLabel('Password').fill('analytical-engine-1843');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expectVisible(page.getByRole('heading', { name: 'Latest photos' }));
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Ada Lovelace');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto('/account');
    await page.waitForURL(/\/login\?callbackUrl=%2Faccount/);
    await context.close();
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
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'auth-email' && guard++ < 10) await page.keyboard.press('Tab');
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

