import type { Browser } from 'playwright-core';
import {
  createUser,
  launch,
  logIn,
  newPage,
  noHorizontalOverflow,
  screenshot,
  uploadViaApi,
  visible,
  waitForCaption,
  type TestUser,
} from './helpers';
import { testImage } from './images';

const PAGE_SIZE = 9; // components/feed.tsx

let browser: Browser;
let poster: TestUser;
const ids: string[] = [];

beforeAll(async () => {
  browser = await launch();
  poster = await createUser('Feed Poster');
  // One more than a page, so the feed has to scroll for the rest.
  for (let i = 0; i < PAGE_SIZE + 1; i++) {
    const img = await testImage(i);
    ids.push(await uploadViaApi(poster.token, img.buffer, img.name));
  }
  // The newest few are enough to check alt = caption; the rest may still be captioning.
  for (const id of ids.slice(-3)) await waitForCaption(id);
});
afterAll(async () => {
  await browser?.close();
});

const cardIds = (page: import('playwright-core').Page) =>
  page.$$eval('[data-testid=feed-card]', (els) => els.map((e) => e.getAttribute('data-post-id')!));

describe('feed', () => {
  it('lists newest first, loads more on scroll, with alt = caption and responsive images', async () => {
    const viewer = await createUser('Feed Viewer');
    const { context, page } = await newPage(browser, { width: 1280, height: 700 });
    await logIn(page, viewer, '/');
    await visible(page.getByTestId('feed-card').first());
    await page.waitForTimeout(500);
    const first = await cardIds(page);
    expect(first.length).toBe(PAGE_SIZE);
    const newestFirst = [...ids].reverse();
    expect(first).toEqual(newestFirst.slice(0, PAGE_SIZE));

    // Infinite scroll: reaching the bottom loads the next page.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=feed-card]').length > n, PAGE_SIZE);
    expect((await cardIds(page)).slice(0, PAGE_SIZE + 1)).toEqual(newestFirst.slice(0, PAGE_SIZE + 1));

    // Every image's alt is its current caption; images come in two sizes via srcset.
    const cards = await page.$$eval('[data-testid=feed-card]', (els) =>
      els.map((e) => {
        const img = e.querySelector('img')!;
        return {
          alt: img.getAttribute('alt'),
          caption: e.querySelector('[data-testid=feed-caption]')!.textContent.trim(),
          srcset: img.getAttribute('srcset') ?? '',
          sizes: img.getAttribute('sizes') ?? '',
          width: img.getAttribute('width'),
          height: img.getAttribute('height'),
        };
      }),
    );
    const captioned = cards.filter((x) => x.caption !== 'Writing caption…');
    expect(captioned.length).toBeGreaterThanOrEqual(3);
    for (const c of captioned) {
      expect(c.alt).toBe(c.caption);
      expect(c.srcset).toMatch(/ \d+w, .+ \d+w/);
      expect(c.sizes).toContain('vw');
      expect(Number(c.width)).toBeGreaterThan(0);
      expect(Number(c.height)).toBeGreaterThan(0);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'feed');
    await context.close();
  });

  it('shows new posts from others live, without a reload', async () => {
    const viewer = await createUser('Live Viewer');
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, '/');
    await visible(page.getByTestId('feed-card').first());
    const other = await createUser('Someone New');
    const img = await testImage(3);
    const id = await uploadViaApi(other.token, img.buffer, img.name);
    await page.waitForFunction(
      (pid) => document.querySelector('[data-testid=feed-card]')?.getAttribute('data-post-id') === pid,
      id,
      {
        timeout: 20_000,
      },
    );
    // Its caption fills in live as well, and the alt follows it.
    const post = await waitForCaption(id);
    await page.waitForFunction(
      ({ pid, text }) => document.querySelector(`[data-post-id="${pid}"] img`)?.getAttribute('alt') === text,
      { pid: id, text: post.caption!.text },
      { timeout: 20_000 },
    );
    await context.close();
  });

  it('fits a 360 px phone without horizontal scrolling', async () => {
    const viewer = await createUser('Phone');
    const { context, page } = await newPage(browser, { width: 360, height: 740 });
    await logIn(page, viewer, '/');
    await visible(page.getByTestId('feed-card').first());
    expect(await noHorizontalOverflow(page)).toBe(true);
    await screenshot(page, 'feed-mobile');
    await context.close();
  });
});
