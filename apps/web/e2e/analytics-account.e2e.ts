import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { createUser, gql, launch, logIn, newPage, screenshot, uploadViaApi, visible, waitForCaption } from './helpers';
import { testImage } from './images';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('analytics', () => {
  it('charts views and likes over time, tables caption versions, and exports CSV', async () => {
    const author = await createUser('Analyst');
    const img = await testImage(1);
    const postId = await uploadViaApi(author.token, img.buffer, img.name);
    const first = await waitForCaption(postId);
    // Engagement on version 1, then an edit, then engagement on version 2.
    const fans = await Promise.all([createUser('Fan A'), createUser('Fan B'), createUser('Fan C')]);
    const view = (t: string) => gql('mutation($id: ID!) { recordView(postId: $id) { id } }', { id: postId }, t);
    const like = (t: string) => gql('mutation($id: ID!) { likePost(postId: $id) { id } }', { id: postId }, t);
    await view(fans[0].token);
    await like(fans[0].token);
    await view(fans[1].token);
    await gql(
      'mutation($id: ID!, $t: String!) { editCaption(postId: $id, text: $t) { id } }',
      { id: postId, t: 'Sunny afternoon in the park' },
      author.token,
    );
    await view(fans[2].token);
    await like(fans[2].token);

    const { context, page } = await newPage(browser);
    await logIn(page, author, '/analytics');
    const table = page.getByTestId('analytics-table');
    await visible(table);
    expect(await page.getByTestId('total-views').textContent()).toBe('3');
    expect(await page.getByTestId('total-likes').textContent()).toBe('2');
    await visible(page.locator('[data-testid=chart] svg .recharts-line').first());
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(first.caption!.text);
    expect(rows[0]).toMatch(/v1.*Model/);
    expect(rows[0]).toContain('50.0%'); // 1 like / 2 views
    expect(rows[1]).toMatch(/v2.*Author/);
    expect(rows[1]).toContain('Sunny afternoon in the park');
    expect(rows[1]).toContain('100.0%');
    await screenshot(page, 'analytics');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toBe('post_id,version,source,caption,views,likes,like_rate');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(`${postId},2,USER,Sunny afternoon in the park,1,1,1.0000`);

    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('button', { name: 'Last 7 days', pressed: true }).waitFor();
    await context.close();
  });
});

describe('account: API tokens', () => {
  it('creates a token shown once with a curl example, lists it, and revokes it', async () => {
    const user = await createUser('Token Owner');
    const { context, page } = await newPage(browser);
    await logIn(page, user, '/account');
    await page.getByRole('button', { name: 'Create token' }).click();
    await visible(page.getByText(/Give the token a name/));
    await page.getByLabel('Token name').fill('photo-bot');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('token-value').textContent())!.trim();
    expect(token.length).toBeGreaterThan(20);
    const curl = (await page.getByTestId('curl-example').textContent())!;
    expect(curl).toContain(`authorization: Bearer ${token}`);
    expect(curl).toContain(process.env.E2E_API_URL!);

    // The token works for a third-party client, with the scope it was given (read only by default).
    const me = await gql<{ me: { displayName: string } }>('{ me { displayName } }', {}, token);
    expect(me.me.displayName).toBe('Token Owner');
    await expect(gql('mutation { likePost(postId: "nope") { id } }', {}, token)).rejects.toThrow(
      /FORBIDDEN: This API token has the READ scope/,
    );

    // Shown once: after a reload only the name is listed.
    await page.reload();
    const list = page.getByTestId('token-list');
    await visible(list.getByText('photo-bot'));
    expect(await page.getByTestId('token-value').count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    expect(await list.getByTestId('token-scope').allTextContents()).toEqual(['Read only']);

    // A read-and-write token may run mutations.
    await page.getByLabel('Token name').fill('poster');
    await page.getByLabel(/Read and write/).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const writer = (await page.getByTestId('token-value').textContent())!.trim();
    await expect(gql('mutation { likePost(postId: "nope") { id } }', {}, writer)).rejects.toThrow(/NOT_FOUND/);
    await visible(list.getByText('Read and write'));

    await list.getByRole('button', { name: 'Revoke photo-bot' }).click();
    await list.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.waitForFunction(() => !document.querySelector('[aria-label="Revoke photo-bot"]'));
    await expect(gql('{ me { displayName } }', {}, token)).rejects.toThrow(/UNAUTHENTICATED/);
    await screenshot(page, 'account');
    await context.close();
  });
});
