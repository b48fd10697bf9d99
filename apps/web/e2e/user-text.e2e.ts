import type { Browser } from 'playwright-core';
import { API, createUser, getPost, gql, launch, newPage, uploadViaApi, visible } from './helpers';
import { testImage } from './images';

// Text people type cannot deceive or break the layout: bidi controls are stripped on the way in,
// user text renders isolated (dir="auto", unicode-bidi: isolate) and long words wrap.
const RLO = '\u202E';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

test('an RLO display name cannot reverse "· just now", a 300-character word wraps at 360 px, anonymous views count once', async () => {
  const author = await createUser(`Eve${RLO}gpj.exe ${'N'.repeat(30)}`);
  const img = await testImage(3);
  const id = await uploadViaApi(author.token, img.buffer, img.name);
  const longWord = 'w'.repeat(300);
  await gql('mutation($id: ID!, $t: String!) { editCaption(postId: $id, text: $t) { id } }', { id, t: longWord }, author.token);

  const { context, page } = await newPage(browser, { width: 360, height: 800 });
  await page.goto(`/posts/${id}`);
  await visible(page.getByTestId('caption-text'));
  expect(await page.getByTestId('caption-text').textContent()).toBe(longWord);

  // The name was stored without its RLO, and the byline reads in order.
  const byline = (await page.getByTestId('post-byline').textContent())!;
  expect(byline).not.toContain(RLO);
  expect(byline).toMatch(new RegExp(`^Evegpj\\.exe N{30} · \\S`));
  for (const testId of ['post-author', 'caption-text']) {
    const style = await page.getByTestId(testId).evaluate((el) => ({
      dir: el.getAttribute('dir'),
      unicodeBidi: getComputedStyle(el).unicodeBidi,
      overflowWrap: getComputedStyle(el).overflowWrap,
    }));
    expect(style).toEqual({ dir: 'auto', unicodeBidi: 'isolate', overflowWrap: 'anywhere' });
  }
  const tags = page.getByTestId('hashtags').locator('span[dir=auto]');
  if (await tags.count()) expect(await tags.first().evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');

  // The phone layout is no wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  // The API's HttpOnly visitor cookie came back to this browser; reloading counts no second view.
  for (let t = Date.now(); (await getPost(id))?.viewCount !== 1 && Date.now() - t < 10_000;) await page.waitForTimeout(200);
  expect((await getPost(id))?.viewCount).toBe(1);
  const cookies = await context.cookies(new URL(API()).origin + '/graphql');
  expect(cookies.find((c) => c.name === 'pixtale_visitor')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/graphql' });
  await page.reload();
  await visible(page.getByTestId('caption-text'));
  await page.waitForTimeout(1000);
  expect((await getPost(id))?.viewCount).toBe(1);

  // The feed card isolates the name too.
  await page.goto('/');
  const card = page.locator(`[data-post-id="${id}"]`);
  await visible(card);
  expect(
    await card.getByTestId('feed-author').evaluate((el) => [el.getAttribute('dir'), getComputedStyle(el).unicodeBidi]),
  ).toEqual(['auto', 'isolate']);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await context.close();
});
