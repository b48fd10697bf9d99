import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { storeContract } from '../contract.test-suite';
import { openSqliteStore } from './sqlite.store';
import { MIGRATIONS, migrate } from './migrations';
import { imageRecord } from '../contract.test-suite';
import { searchTerms } from '../search-terms';
import { cacheStatements } from './statement-cache';

storeContract('sqlite', async () => openSqliteStore(':memory:'));

describe('sqlite adapter', () => {
  test('file database uses WAL and is migrated exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-'));
    const file = path.join(dir, 'nested', 'pixtale.sqlite');
    const s1 = openSqliteStore(file);
    await s1.users.create({ email: 'a@b.co', displayName: 'A', passwordHash: null });
    await s1.close();
    const s2 = openSqliteStore(file); // reopening must not re-run migrations or lose data
    expect(await s2.users.findByEmail('a@b.co')).not.toBeNull();
    await s2.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('prepared statements are compiled once per SQL text, up to the cap', () => {
    const db = cacheStatements(new Database(':memory:'), 2);
    const a = db.prepare('SELECT 1 AS n');
    expect(db.prepare('SELECT 1 AS n')).toBe(a);
    expect(db.prepare('SELECT 2 AS n')).toBe(db.prepare('SELECT 2 AS n'));
    expect(db.prepare('SELECT 3 AS n')).not.toBe(db.prepare('SELECT 3 AS n')); // over the cap: compiled per call
    expect(db.prepare('SELECT 3 AS n').get()).toEqual({ n: 3 });
    db.close();
  });

  test('the store never changes or holds a shared (cached) statement', () => {
    const src = fs.readFileSync(path.join(__dirname, 'sqlite.store.ts'), 'utf8');
    expect(src).not.toMatch(/\.(iterate|bind|pluck|raw|expand|safeIntegers)\(/);
  });

  test('a database from before translations (migration 1) is upgraded in place: data kept, new versions get translation jobs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-v1-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    const now = Date.now();
    old.prepare("INSERT INTO users (id, email, email_lower, display_name, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'A', ?)").run(now);
    old.prepare(
      "INSERT INTO posts (id, author_id, image, image_key, caption_status, current_caption_id, created_at) VALUES ('p1', 'u1', ?, 'k', 'READY', 'c1', ?)",
    ).run(JSON.stringify(imageRecord()), now);
    old.prepare("INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES ('c1', 'p1', 'a dog', 'MODEL', 1, ?)").run(now);
    old.close();

    const store = openSqliteStore(file);
    expect((await store.captions.findById('c1'))?.text).toBe('a dog');
    expect(await store.translationJobs.findByPost('p1')).toEqual([]); // old versions are not queued retroactively
    expect((await store.translations.save({ captionId: 'c1', language: 'de', text: 'ein Hund', model: 'm' }))?.postId).toBe('p1');
    const v2 = await store.captions.addVersion('p1', 'a red dog', 'USER');
    expect((await store.translationJobs.findByPost('p1')).map((j) => j.captionId)).toEqual([v2.id]);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(migrate(new Database(':memory:'))).toBe(MIGRATIONS.length);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a database from before search (migration 3) gets profiles, and its posts and users are searchable and tagged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-v3-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m as string);
    old.pragma('user_version = 3');
    const now = Date.now();
    old.prepare("INSERT INTO users (id, email, email_lower, display_name, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'Émile Zola', ?)").run(now);
    const insertPost = old.prepare(
      "INSERT INTO posts (id, author_id, image, image_key, caption_status, current_caption_id, hashtags, created_at) VALUES (?, 'u1', ?, 'k', 'READY', ?, ?, ?)",
    );
    insertPost.run('p1', JSON.stringify(imageRecord()), 'c2', JSON.stringify(['#Bicycle', '#ÜBER']), now);
    insertPost.run('p2', JSON.stringify(imageRecord()), null, '[]', now + 1);
    const insertCaption = old.prepare("INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES (?, 'p1', ?, ?, ?, ?)");
    insertCaption.run('c1', 'an old caption about a tractor', 'MODEL', 1, now);
    insertCaption.run('c2', 'a red bike by the canal', 'USER', 2, now);
    old.prepare("INSERT INTO caption_translations (caption_id, post_id, language, text, model, created_at) VALUES ('c2', 'p1', 'de', 'ein rotes Fahrrad', 'm', ?)").run(now);
    old.close();

    const store = openSqliteStore(file);
    expect(await store.users.findById('u1')).toMatchObject({ displayName: 'Émile Zola', bio: '', avatar: null });
    expect((await store.users.search(searchTerms('emil'), 10)).map((u) => u.id)).toEqual(['u1']);
    for (const q of ['bike can', 'fahrr', 'bicycle', 'über']) expect([q, (await store.posts.search(searchTerms(q), 10)).map((p) => p.id)]).toEqual([q, ['p1']]);
    expect(await store.posts.search(searchTerms('tractor'), 10)).toEqual([]); // an older version
    expect(await store.posts.countByHashtag('über')).toBe(1);
    expect((await store.posts.list({ first: 5, hashtag: 'bicycle' })).map((p) => p.id)).toEqual(['p1']);
    // New writes keep the index in step.
    await store.captions.addVersion('p2', 'a tractor in a field', 'USER', { hashtags: ['#Farm'] });
    expect((await store.posts.search(searchTerms('tractor'), 10)).map((p) => p.id)).toEqual(['p2']);
    expect(await store.posts.countByHashtag('farm')).toBe(1);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
