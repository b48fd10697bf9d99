import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, getPost, launch, logIn, newPage, screenshot, visible, type TestUser } from './helpers';
import { testImage } from './images';
import { E2E_MAX_UPLOAD_BYTES } from './setup/global-setup';

/**
 * The main flow, in order: upload (checks, drag-and-drop, progress) → live caption on the post
 * page → beam alternative → heatmap → edit → likes (live, from a second user) → views → delete.
 */
let browser: Browser;
let author: TestUser;
let ctx: BrowserContext;
let page: Page;
let postId = '';
let postUrl = '';

beforeAll(async () => {
  browser = await launch();
  author = await createUser('Uploader');
  ({ context: ctx, page } = await newPage(browser));
  await logIn(page, author, '/upload');
});
afterAll(async () => {
  await browser?.close();
});

async function pick(p: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  const input = p.locator('input[type=file]');
  await input.setInputFiles(file);
}

describe('upload and the post page', () => {
  it('checks type and size in the browser before uploading', async () => {
    await page.goto('/upload');
    await pick(page, { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not an image at all') });
    await visible(page.getByRole('alert').getByText(/not an image we can read/));

    const big = Buffer.alloc(E2E_MAX_UPLOAD_BYTES + 1024, 0);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    await pick(page, { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: big });
    await visible(page.getByRole('alert').getByText(/too big/));
    expect(await page.getByRole('button', { name: 'Upload and caption' }).isDisabled()).toBe(true);
  });

  it('shows API errors as human messages (rate limited, not an image)', async () => {
    const img = await testImage(0);
    await page.goto('/upload');
    await pick(page, { name: img.name, mimeType: 'image/jpeg', buffer: img.buffer });
    // The API answers with a stable code; the page must never show the raw JSON.
    await page.route('**/graphql', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({
              errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 30 } }],
            }),
          })
        : route.continue(),
    );
    await page.getByRole('button', { name: 'Upload and caption' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await visible(alert.getByText(/too often/));
    expect(await alert.textContent()).not.toContain('{');
    await page.unroute('**/graphql');

    await page.route('**/graphql', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ errors: [{ message: 'x', extensions: { code: 'UNSUPPORTED_IMAGE', reason: 'CORRUPT_IMAGE' } }] }),
      }),
    );
    await page.getByRole('button', { name: 'Upload and caption' }).click();
    await visible(page.getByRole('alert').getByText(/damaged or incomplete/));
    await page.unroute('**/graphql');
  });

  it('accepts a drag-and-dropped photo with a preview, uploads with progress, and shows the caption arriving live', async () => {
    const img = await testImage(0);
    await page.goto('/upload');
    // Drop a real File onto the drop zone, as a person dragging from their desktop would.
    const dataTransfer = await page.evaluateHandle(
      ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/jpeg' }));
        return dt;
      },
      { b64: img.buffer.toString('base64'), name: img.name },
    );
    await page.dispatchEvent('[data-testid=dropzone]', 'dragover', { dataTransfer });
    await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    await visible(page.getByRole('img', { name: 'Preview of the photo you chose' }));
    await visible(page.getByTestId('chosen-file').getByText(img.name));

    // Record whether the progress bar was shown (the upload can be quick on localhost).
    await page.evaluate(() => {
      (window as unknown as { sawProgress: boolean }).sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[role=progressbar]')) (window as unknown as { sawProgress: boolean }).sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.getByRole('button', { name: 'Upload and caption' }).click();
    await page.waitForURL(/\/posts\/[^/]+$/);
    // The photo is there at once (from createPost's answer), not after the post query.
    const photo = page.getByTestId('post-figure').locator('img').first();
    expect(await photo.isVisible()).toBe(true);
    // Until the API's image has loaded, the browser's own preview of the file is drawn in its place.
    expect(
      await photo.evaluate((el: HTMLImageElement) => el.complete || getComputedStyle(el).backgroundImage.includes('blob:')),
    ).toBe(true);
    expect(await page.getByText('Loading photo').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    postUrl = new URL(page.url()).pathname;
    postId = postUrl.split('/').pop()!;

    // The caption card is as tall as what it shows: no empty fixed height.
    const box = page.getByTestId('caption-box');
    await visible(box);
    const emptySpace = () =>
      box.evaluate((el) => {
        const s = getComputedStyle(el);
        const inner = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
        const kids = Array.from(el.children);
        const content = kids.length
          ? kids[kids.length - 1]!.getBoundingClientRect().bottom - kids[0]!.getBoundingClientRect().top
          : 0;
        return Math.round(inner - content);
      });
    const status = await box.getAttribute('data-status');
    if (status === 'PENDING' || status === 'PROCESSING') {
      // The caption can arrive between reading the status and looking for the placeholder (the
      // model takes ~100 ms): then the placeholder is gone, which is not a failure.
      const writing = page.getByTestId('caption-writing');
      await visible(writing.or(page.getByTestId('caption-text')).or(page.getByTestId('caption-failed')));
      if (await writing.isVisible()) {
        expect(await emptySpace()).toBeLessThanOrEqual(1);
        await screenshot(page, 'upload-writing-caption');
      }
    }
    await visible(page.getByTestId('caption-text').or(page.getByTestId('caption-failed')), 300_000);
    if (await page.getByTestId('caption-failed').isVisible()) throw new Error('the captioner failed (is a model in models/?)');
    expect(await emptySpace()).toBeLessThanOrEqual(1);
    const caption = (await page.getByTestId('caption-text').textContent())!.trim();
    expect(caption.length).toBeGreaterThan(3);
    expect(await page.getByRole('img', { name: caption }).count()).toBe(1); // alt = current caption
    await visible(page.getByTestId('hashtags').locator('li').first());
    expect(await page.getByTestId('hashtags').textContent()).toMatch(/#\w+/);
    await visible(page.getByTestId('suggestions').getByRole('button').first());
    await screenshot(page, 'upload-live-caption');
  });

  it('picks a beam alternative with one click', async () => {
    const options = page.getByTestId('suggestions').getByRole('button', { disabled: false });
    const count = await options.count();
    expect(count).toBeGreaterThan(0);
    const choice = options.first();
    const text = (await choice.locator('span').first().textContent())!.trim();
    await choice.click();
    await page.getByTestId('caption-text').getByText(text, { exact: true }).waitFor();
    const history = page.getByTestId('caption-history');
    await visible(history.getByText('v2'));
    expect(await history.locator('li').count()).toBe(2);
    expect(await history.textContent()).toMatch(/Model/);
    expect(await history.textContent()).toMatch(/Author/);
    expect((await getPost(postId))!.caption!.text).toBe(text);
  });

  it('shows what the model looked at when hovering, focusing or tapping a word', async () => {
    const words = page.getByTestId('attention-word');
    await visible(words.first());
    const canvas = page.getByTestId('attention-canvas');
    const painted = () =>
      canvas.evaluate((c: HTMLCanvasElement) => {
        const ctx2 = c.getContext('2d')!;
        if (!c.width || !c.height) return 0;
        const d = ctx2.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4 * 97) if (d[i]! > 0) n++;
        return n;
      });
    expect(await painted()).toBe(0);
    await words.nth(Math.min(1, (await words.count()) - 1)).hover();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=attention-canvas]')?.getAttribute('data-active-word') !== '',
    );
    expect(await painted()).toBeGreaterThan(0);
    await visible(page.getByText(/the model looked most at/));
    await page.getByTestId('post-figure').scrollIntoViewIfNeeded();
    await screenshot(page, 'post-heatmap');

    // Keyboard: focusing a word shows its heatmap too.
    await page.mouse.move(0, 0);
    await words.first().focus();
    expect(await canvas.getAttribute('data-active-word')).toBe('0');
    // Tap/click pins it.
    await words.first().click();
    expect(await words.first().getAttribute('aria-pressed')).toBe('true');
  });

  it('edits the caption with validation, cancel and save', async () => {
    const current = (await page.getByTestId('caption-text').textContent())!.trim();
    await page.getByRole('button', { name: 'Edit caption' }).click();
    const box = page.getByLabel('Your caption');
    await box.fill('   ');
    await page.getByRole('button', { name: 'Save caption' }).click();
    await visible(page.getByText('The caption cannot be empty.'));
    await box.fill('x'.repeat(501));
    await page.getByRole('button', { name: 'Save caption' }).click();
    await visible(page.getByText(/under 500 characters/));
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await page.getByTestId('caption-text').textContent())!.trim()).toBe(current);

    await page.getByRole('button', { name: 'Edit caption' }).click();
    await page.getByLabel('Your caption').fill('My dog at the beach, golden hour');
    await page.getByRole('button', { name: 'Save caption' }).click();
    await page.getByTestId('caption-text').getByText('My dog at the beach, golden hour').waitFor();
    await visible(page.getByTestId('caption-history').getByText('v3'));
    expect(await page.getByRole('img', { name: 'My dog at the beach, golden hour' }).count()).toBe(1);
  });

  it('likes and unlikes with live counts, and records one view per visit', async () => {
    const fan = await createUser('Fan');
    const { context: fanCtx, page: fanPage } = await newPage(browser);
    await logIn(fanPage, fan, postUrl);
    await visible(fanPage.getByTestId('like-button'));
    await fanPage.waitForLoadState('networkidle');
    const views: string[] = [];
    fanPage.on('request', (r) => {
      if (r.method() === 'POST' && (r.postData() ?? '').includes('recordView')) views.push(r.url());
    });
    await fanPage.reload();
    await visible(fanPage.getByTestId('like-button'));
    await fanPage.waitForTimeout(1000);
    expect(views).toHaveLength(1);

    const authorLikes = page.getByTestId('like-count');
    expect((await authorLikes.textContent())!.trim()).toBe('0');
    await fanPage.getByTestId('like-button').click();
    await fanPage.getByRole('button', { name: /Liked/, pressed: true }).waitFor();
    // The author's open page updates through the postUpdated subscription, no reload.
    await page.waitForFunction(() => document.querySelector('[data-testid=like-count]')?.textContent?.trim() === '1');
    // The fan's view (the author's own views are not counted).
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=view-count]')?.textContent) >= 1);

    await fanPage.getByTestId('like-button').click();
    await fanPage.getByRole('button', { name: /Like/, pressed: false }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=like-count]')?.textContent?.trim() === '0');
    expect((await getPost(postId))!.likeCount).toBe(0);

    // The fan cannot edit or delete someone else's post.
    expect(await fanPage.getByRole('button', { name: 'Edit caption' }).count()).toBe(0);
    expect(await fanPage.getByRole('button', { name: 'Delete post' }).count()).toBe(0);
    await fanCtx.close();
  });

  it('deletes the post after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete post' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this post?' });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await getPost(postId)).not.toBeNull();

    await page.getByRole('button', { name: 'Delete post' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    expect(await getPost(postId)).toBeNull();
    await page.goto(postUrl);
    await visible(page.getByRole('heading', { name: 'This photo is not here' }));
    await ctx.close();
  });
});
