import type { Browser, Page } from 'playwright-core';
import {
  API,
  createUser,
  gql,
  launch,
  logIn,
  newPage,
  screenshot,
  seriousViolations,
  uploadViaApi,
  visible,
  waitForCaption,
  type TestUser,
} from './helpers';
import { testImage } from './images';

/**
 * The social layer through the UI: profiles and follows, the Following tab, likes on feed cards,
 * hashtag pages, search, and comments arriving live in another browser.
 */
let browser: Browser;
let viewer: TestUser;
let followed: TestUser;
let stranger: TestUser;
let followedPost = '';
let strangerPost = '';
// Words no other test (nor the captioning model) writes, so the search and the hashtag page find
// this file's post and person only (every run starts with an empty database).
const word = 'Quillhaven';
const tag = 'quillhavenlights';
const surname = 'Quill';

beforeAll(async () => {
  browser = await launch();
  [viewer, followed, stranger] = await Promise.all([
    createUser('Vera Viewer'),
    createUser(`Fiona ${surname}`),
    createUser('Sam Stranger'),
  ]);
  await setProfile(followed.token, `Boats, nets and early light. #${tag}`, (await testImage(3)).buffer);
  const [a, b] = [await testImage(0), await testImage(1)];
  followedPost = await uploadViaApi(followed.token, a.buffer, a.name, `Fishing boats in ${word} harbour at dawn #${tag}`);
  strangerPost = await uploadViaApi(stranger.token, b.buffer, b.name, 'A stranger photographs the park');
  // Hashtags are written with the caption job, so wait for it.
  await Promise.all([waitForCaption(followedPost), waitForCaption(strangerPost)]);
});
afterAll(async () => {
  await browser?.close();
});

/** updateProfile with a bio and a picture (a GraphQL multipart request, as the web app sends it). */
async function setProfile(token: string, bio: string, avatar: Buffer) {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: 'mutation($bio: String, $a: Upload) { updateProfile(bio: $bio, avatar: $a) { id } }',
      variables: { bio, a: null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.a'] }));
  form.append('0', new Blob([new Uint8Array(avatar)], { type: 'image/jpeg' }), 'avatar.jpg');
  const res = await fetch(API(), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    body: form,
  });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`updateProfile failed: ${JSON.stringify(body.errors)}`);
}

async function viewerFollows(userId: string): Promise<boolean> {
  const data = await gql<{ user: { viewerFollows: boolean } }>(
    'query($id: ID!) { user(id: $id) { viewerFollows } }',
    { id: userId },
    viewer.token,
  );
  return data.user.viewerFollows;
}

const cardIds = (page: Page) => page.$$eval('[data-testid=feed-card]', (els) => els.map((e) => e.getAttribute('data-post-id')!));

describe('social', () => {
  it('visits a profile from a post and follows from it', async () => {
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, `/posts/${followedPost}`);
    await page.getByTestId('post-author').click();
    await page.waitForURL(`**/u/${followed.id}`);
    await visible(page.getByTestId('profile-name'));
    expect(await page.getByTestId('profile-name').textContent()).toBe(followed.displayName);
    expect(await page.getByTestId('profile-bio').textContent()).toContain('Boats, nets and early light.');
    expect(await page.getByTestId('profile-posts').textContent()).toBe('1');
    expect(await page.getByTestId('profile-followers').textContent()).toBe('0');
    await visible(page.locator(`[data-testid=post-grid] [data-post-id="${followedPost}"]`));

    const follow = page.getByTestId('follow-button');
    expect(await follow.getAttribute('aria-pressed')).toBe('false');
    await follow.click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=follow-button]')?.getAttribute('aria-pressed') === 'true',
    );
    expect(await page.getByTestId('profile-followers').textContent()).toBe('1');
    expect(await follow.textContent()).toBe('Following');
    expect(await viewerFollows(followed.id)).toBe(true);
    await screenshot(page, 'profile');

    // And back: unfollow, then follow again for the tests that follow.
    await follow.click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=follow-button]')?.getAttribute('aria-pressed') === 'false',
    );
    expect(await page.getByTestId('profile-followers').textContent()).toBe('0');
    await follow.click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=follow-button]')?.getAttribute('aria-pressed') === 'true',
    );
    await context.close();
  });

  it('shows only the posts of people you follow on the Following tab', async () => {
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, '/');
    await visible(page.locator(`[data-testid=feed-card][data-post-id="${strangerPost}"]`));
    await page.getByTestId('feed-tab-following').click();
    await page.waitForURL('**/?feed=following');
    await visible(page.locator(`[data-testid=feed-card][data-post-id="${followedPost}"]`));
    expect(await page.getByTestId('feed-tab-following').getAttribute('aria-current')).toBe('page');
    expect(await cardIds(page)).toEqual([followedPost]);
    await context.close();

    // A visitor is asked to log in.
    const visitor = await newPage(browser);
    await visitor.page.goto('/?feed=following');
    await visible(visitor.page.getByText('Log in to see photos from the people you follow.'));
    await visitor.context.close();
  });

  it('likes from a feed card', async () => {
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, '/?feed=following');
    const card = page.locator(`[data-testid=feed-card][data-post-id="${followedPost}"]`);
    const like = card.getByTestId('like-button');
    await visible(like);
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await like.click();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-post-id="${id}"] [data-testid=like-button]`)?.getAttribute('aria-pressed') === 'true',
      followedPost,
    );
    expect(await like.textContent()).toContain('1');
    for (let t = Date.now(); Date.now() - t < 10_000; await page.waitForTimeout(200)) {
      const data = await gql<{ post: { likeCount: number; likedByMe: boolean } }>(
        'query($id: ID!) { post(id: $id) { likeCount likedByMe } }',
        { id: followedPost },
        viewer.token,
      );
      if (data.post.likedByMe) break;
    }
    const data = await gql<{ post: { likeCount: number; likedByMe: boolean } }>(
      'query($id: ID!) { post(id: $id) { likeCount likedByMe } }',
      { id: followedPost },
      viewer.token,
    );
    expect(data.post).toEqual({ likeCount: 1, likedByMe: true });
    // The like is stored: a reload shows it.
    await page.reload();
    await visible(like);
    expect(await like.getAttribute('aria-pressed')).toBe('true');
    await context.close();
  });

  it('rolls a like back, with a message, when the API refuses it', async () => {
    const { context, page } = await newPage(browser);
    const img = await testImage(2);
    const doomed = await uploadViaApi(stranger.token, img.buffer, img.name, 'Soon gone');
    await logIn(page, viewer, `/u/${stranger.id}`);
    const like = page.locator(`[data-post-id="${doomed}"]`).getByTestId('like-button');
    await visible(like);
    // Deleted after the page loaded: the like is refused (NOT_FOUND).
    await gql('mutation($id: ID!) { deletePost(postId: $id) }', { id: doomed }, stranger.token);
    await like.click();
    await visible(page.getByTestId('like-error'));
    expect(await page.getByTestId('like-error').textContent()).toMatch(/^Could not like this photo: /);
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    expect(await like.textContent()).toContain('0');
    await context.close();
  });

  it('edits your own profile: name, bio and picture', async () => {
    const me = await createUser('Edith Editor');
    const { context, page } = await newPage(browser);
    await logIn(page, me, `/u/${me.id}`);
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await page.getByLabel('Display name').fill('Edith Lens');
    await page.getByLabel('Bio').fill('Street photos, mostly at night. #nightwalks');
    const img = await testImage(3);
    await page.getByLabel('Profile picture').setInputFiles({ name: img.name, mimeType: 'image/jpeg', buffer: img.buffer });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save profile' }).click();
    // The form closes once the API has stored it.
    await page.getByRole('heading', { name: 'Edit profile' }).waitFor({ state: 'detached' });
    expect(await page.getByTestId('profile-name').textContent()).toBe('Edith Lens');
    expect(await page.getByTestId('profile-bio').textContent()).toBe('Street photos, mostly at night. #nightwalks');
    await visible(page.getByTestId('profile-bio').getByRole('link', { name: '#nightwalks' }));
    const avatar = page.locator('section[aria-labelledby=profile-name] img');
    await visible(avatar);
    expect(await avatar.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
    // The header's name follows the new one, and so does the API.
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Edith Lens');
    const data = await gql<{ user: { displayName: string; bio: string; avatarUrl: string | null } }>(
      'query($id: ID!) { user(id: $id) { displayName bio avatarUrl } }',
      { id: me.id },
    );
    expect(data.user).toMatchObject({ displayName: 'Edith Lens', bio: 'Street photos, mostly at night. #nightwalks' });
    expect(data.user.avatarUrl).toBeTruthy();
    await context.close();
  });

  it('opens a hashtag from a post', async () => {
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, `/posts/${followedPost}`);
    await page
      .getByTestId('hashtags')
      .getByRole('link', { name: `#${tag}` })
      .click();
    await page.waitForURL(`**/tags/${tag}`);
    expect(await page.getByTestId('hashtag-title').textContent()).toBe(`#${tag}`);
    await visible(page.locator(`[data-testid=feed-card][data-post-id="${followedPost}"]`));
    expect(await cardIds(page)).toEqual([followedPost]);
    // The tag in the caption is a link too.
    expect(await page.locator(`[data-testid=feed-card] a[href="/tags/${tag}"]`).count()).toBeGreaterThan(0);
    await screenshot(page, 'hashtag');
    await context.close();
  });

  it('searches by a word of a caption and by a name', async () => {
    const { context, page } = await newPage(browser);
    await logIn(page, viewer, '/');
    const box = page.getByRole('searchbox', { name: 'Search photos, people and hashtags' });
    // A prefix of the word is enough.
    await box.fill(word.slice(0, -2));
    await box.press('Enter');
    await page.waitForURL('**/search?q=*');
    await visible(page.locator(`[data-testid=search-posts] [data-post-id="${followedPost}"]`));
    expect(await page.locator('[data-testid=search-posts] [data-testid=feed-card]').count()).toBe(1);

    // "quill" starts her name, the caption's word and the hashtag: three groups.
    await box.fill(surname.toLowerCase());
    await box.press('Enter');
    const person = page.getByTestId('search-people').getByRole('link', { name: new RegExp(followed.displayName) });
    await visible(person);
    await visible(page.getByTestId('search-hashtags').getByRole('link', { name: new RegExp(`#${tag}`) }));
    await visible(page.locator(`[data-testid=search-posts] [data-post-id="${followedPost}"]`));
    await screenshot(page, 'search');
    await person.click();
    await page.waitForURL(`**/u/${followed.id}`);
    await context.close();
  });

  it('shows a comment posted in one browser live in another, and lets the post owner delete it', async () => {
    const owner = await newPage(browser, { width: 1280, height: 1000 });
    await logIn(owner.page, followed, `/posts/${followedPost}`);
    const reader = await newPage(browser, { width: 1280, height: 1000 });
    await logIn(reader.page, viewer, `/posts/${followedPost}`);
    for (const { page } of [owner, reader]) await visible(page.getByText('No comments yet.'));

    const text = `Lovely light on the #${tag}, where was this?`;
    await reader.page.getByLabel('Add a comment').fill(text);
    await reader.page.getByRole('button', { name: 'Post comment' }).click();
    const seen = owner.page.getByTestId('comment-text').filter({ hasText: 'Lovely light on the' });
    await visible(seen);
    expect(await seen.textContent()).toBe(text);
    expect(await owner.page.getByTestId('comment-author').first().textContent()).toBe(viewer.displayName);
    expect(await owner.page.locator('#comments-title').textContent()).toContain('(1)');
    // The reader's own list shows it once (the mutation's answer and the subscription are merged).
    expect(await reader.page.getByTestId('comment').count()).toBe(1);

    await owner.page.getByTestId('comments').scrollIntoViewIfNeeded();
    await screenshot(owner.page, 'comments');

    // The post's owner may delete a reader's comment; it leaves the reader's page live.
    await owner.page.getByRole('button', { name: `Delete comment by ${viewer.displayName}` }).click();
    await reader.page.getByTestId('comment').waitFor({ state: 'detached' });
    expect(await reader.page.locator('#comments-title').textContent()).toContain('(0)');
    await owner.context.close();
    await reader.context.close();
  });
});
