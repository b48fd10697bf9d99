import type { Browser, Page } from 'playwright-core';
import {
  createUser,
  gql,
  launch,
  logIn,
  newPage,
  noHorizontalOverflow,
  seriousViolations,
  uploadViaApi,
  visible,
  waitForCaption,
} from './helpers';
import { testImage } from './images';

/** axe-core on every page (zero serious or critical violations) at desktop and 360 px widths. */
let browser: Browser;
let postPath = '';
let socialPaths: string[] = [];
let user: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  browser = await launch();
  user = await createUser('Auditor');
  const img = await testImage(2);
  const id = await uploadViaApi(user.token, img.buffer, img.name);
  await waitForCaption(id);
  postPath = `/posts/${id}`;
  // The social pages, each with something on it: a comment on the post, a hashtag and a caption word to search for.
  await gql('mutation($id: ID!) { addComment(postId: $id, text: "What a view #a11y") { id } }', { id }, user.token);
  const { post } = await gql<{ post: { hashtags: string[]; caption: { text: string } } }>(
    'query($id: ID!) { post(id: $id) { hashtags caption { text } } }',
    { id },
  );
  const tag = post.hashtags[0]!.replace(/^#/, '').toLowerCase();
  const word = post.caption.text.split(/\s+/).filter((w) => w.length > 3)[0]!;
  socialPaths = [`/u/${user.id}`, `/tags/${tag}`, `/search?q=${encodeURIComponent(word)}`, '/?feed=following'];
});
afterAll(async () => {
  await browser?.close();
});

async function ready(page: Page, path: string) {
  await page.goto(path);
  if (path === '/') await visible(page.getByTestId('feed-card').first());
  if (path.startsWith('/posts/')) await visible(page.getByTestId('comment'));
  if (path.startsWith('/u/')) await visible(page.getByTestId('profile-name'));
  if (path.startsWith('/tags/') || path.startsWith('/search')) await visible(page.getByTestId('feed-card').first());
  if (path === '/?feed=following') await visible(page.getByText('Nothing from people you follow yet.'));
  if (path === '/analytics') await visible(page.getByTestId('analytics-table'));
  if (path === '/account') await visible(page.getByRole('heading', { name: 'Your tokens' }));
  if (path === '/upload') await visible(page.getByRole('button', { name: 'Upload and caption' }));
}

describe.each([
  ['desktop', 1280, 900],
  ['phone', 360, 740],
])('accessibility on %s', (_name, width, height) => {
  it('public pages have no serious violations and fit the screen', async () => {
    const { context, page } = await newPage(browser, { width, height });
    for (const path of ['/login', '/signup', ...socialPaths.slice(0, 3), postPath]) {
      await page.goto(path);
      if (path.startsWith('/u/')) await visible(page.getByTestId('profile-name'));
      if (path.startsWith('/tags/') || path.startsWith('/search')) await visible(page.getByTestId('feed-card').first());
      if (path.startsWith('/posts/')) await visible(page.getByTestId('comment'));
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
      expect(await noHorizontalOverflow(page)).toBe(true);
    }
    // Errors are announced and linked to their fields.
    await page.goto('/signup');
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect({ path: '/signup (errors)', violations: await seriousViolations(page) }).toEqual({
      path: '/signup (errors)',
      violations: [],
    });
    await context.close();
  });

  it('signed-in pages have no serious violations and fit the screen', async () => {
    const { context, page } = await newPage(browser, { width, height });
    await logIn(page, user, '/');
    for (const path of ['/', '/upload', postPath, '/analytics', '/account', ...socialPaths]) {
      await ready(page, path);
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
      expect({ path, fits: await noHorizontalOverflow(page) }).toEqual({ path, fits: true });
    }
    await context.close();
  });
});

describe('focus', () => {
  it('shows a visible focus indicator on keyboard focus', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await context.close();
  });
});
