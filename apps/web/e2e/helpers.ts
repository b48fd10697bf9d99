import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const WEB = () => must('E2E_WEB_URL');
export const API = () => must('E2E_API_URL');
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * Where a run writes its screenshots: an ignored folder, so tests never change tracked files.
 * `npm run screenshots` copies them into the committed e2e/screenshots/ when we choose to.
 */
export const SCREENSHOTS = path.join(REPO_ROOT, 'e2e', '.output', 'screenshots');

function must(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`npm run test:e2e\` (global-setup sets it)`);
  return v;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function newPage(
  browser: Browser,
  opts: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: WEB(),
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    acceptDownloads: true,
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

// ---------- API shortcuts (for arranging state fast; the flows under test go through the UI) ----------

export interface TestUser {
  email: string;
  password: string;
  displayName: string;
  token: string;
  id: string;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: each caller reads the shape it asked for
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(API(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) {
    const e = new Error(`${body.errors[0]!.extensions?.code}: ${body.errors[0]!.message}`);
    (e as Error & { code?: string }).code = body.errors[0]!.extensions?.code;
    throw e;
  }
  return body.data as T;
}

export async function createUser(displayName = 'Test User'): Promise<TestUser> {
  const email = uniqueEmail(displayName.toLowerCase().replace(/\W+/g, '-'));
  const password = 'correct-horse-42';
  const data = await gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, displayName: $n) { token user { id } } }',
    { e: email, p: password, n: displayName },
  );
  return { email, password, displayName, token: data.signUp.token, id: data.signUp.user.id };
}

export async function uploadViaApi(token: string, image: Buffer, name = 'photo.jpg', caption?: string): Promise<string> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: 'mutation($image: Upload!, $caption: String) { createPost(image: $image, caption: $caption) { id } }',
      variables: { image: null, caption: caption ?? null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.image'] }));
  form.append('0', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), name);
  const res = await fetch(API(), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    body: form,
  });
  const body = (await res.json()) as { data?: { createPost: { id: string } }; errors?: unknown[] };
  if (!body.data) throw new Error(`upload failed: ${JSON.stringify(body.errors)}`);
  return body.data.createPost.id;
}

export interface PostState {
  captionStatus: string;
  caption: { text: string } | null;
  likeCount: number;
  viewCount: number;
}

export async function getPost(id: string, token?: string): Promise<PostState | null> {
  const data = await gql<{ post: PostState | null }>(
    'query($id: ID!) { post(id: $id) { captionStatus caption { text } likeCount viewCount } }',
    { id },
    token,
  );
  return data.post;
}

export async function waitForCaption(id: string, timeoutMs = 300_000): Promise<PostState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await getPost(id);
    if (p && (p.captionStatus === 'READY' || p.captionStatus === 'FAILED')) {
      if (p.captionStatus === 'FAILED') throw new Error(`captioning failed for post ${id}`);
      return p;
    }
    if (Date.now() > deadline) throw new Error(`post ${id} still ${p?.captionStatus} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---------- UI helpers ----------

export async function logIn(page: Page, user: { email: string; password: string }, callbackUrl = '/') {
  await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** axe-core audit of the current page: returns serious and critical violations only. */
export async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

export async function noHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/** Waits until the locator is visible (fails the test after the timeout). */
export async function visible(
  locator: { waitFor: (o: { state: 'visible'; timeout?: number }) => Promise<void> },
  timeout = 20_000,
) {
  await locator.waitFor({ state: 'visible', timeout });
}
