import { spawn } from 'node:child_process';
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

// The built adapter, opened by several processes at once (as N api + M worker processes start).
const builtStore = path.resolve(__dirname, '..', '..', '..', 'dist', 'store', 'sqlite', 'sqlite.store.js');
const notBuilt = fs.existsSync(builtStore) ? null : `build first: ${builtStore} is missing`;
(notBuilt ? test.skip : test)(
  `${notBuilt ? `PENDING (${notBuilt}): ` : ''}processes starting together on a fresh database migrate it once, without SQLITE_BUSY`,
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-race-'));
    const file = path.join(dir, 'pixtale.sqlite');
    // Each child loads the adapter, then waits for one common instant so they really race.
    const at = Date.now() + 1500;
    const script = `const { openSqliteStore } = require(${JSON.stringify(builtStore)});
    while (Date.now() < ${at});
    const s = openSqliteStore(${JSON.stringify(file)});
    s.users.create({ email: 'p' + process.pid + '@b.co', displayName: 'P', passwordHash: null }).then(() => s.close());`;
    const results = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    expect(results).toEqual(results.map(() => ({ code: 0, stderr: '' })));
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 4 });
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
  60_000,
);

(notBuilt ? test.skip : test)(
  `${notBuilt ? `PENDING (${notBuilt}): ` : ''}workers in several processes never claim the same job twice`,
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-claims-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const setup = openSqliteStore(file);
    const u = await setup.users.create({ email: 'w@b.co', displayName: 'W', passwordHash: null });
    const post = await setup.posts.create({ authorId: u.id, image: imageRecord(), caption: null });
    const ids = new Set<string>();
    for (let i = 0; i < 60; i++) ids.add((await setup.jobs.enqueue({ kind: 'translation', postId: post.id, maxAttempts: 3 })).id);
    await setup.close();
    // Each process claims until the queue is empty and prints the ids it got.
    const at = Date.now() + 1500;
    const script = `const { openSqliteStore } = require(${JSON.stringify(builtStore)});
    const s = openSqliteStore(${JSON.stringify(file)});
    while (Date.now() < ${at});
    (async () => {
      const got = [];
      for (let j; (j = await s.jobs.claim(['caption', 'translation'], 'w' + process.pid, new Date(), 60000)); ) got.push(j.id);
      process.stdout.write(JSON.stringify(got));
      await s.close();
    })();`;
    const claimed = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<string[]>((resolve, reject) => {
            const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            let err = '';
            child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
            child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
          }),
      ),
    );
    const all = claimed.flat();
    expect(all.length).toBe(ids.size);
    expect(new Set(all)).toEqual(ids);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  60_000,
);

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
    // The adapter's files; statement-cache.ts itself binds `db.prepare`.
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'statement-cache.ts');
    expect(files).toEqual(expect.arrayContaining(['sqlite.store.ts', 'posts.repo.ts']));
    for (const f of files) {
      const src = fs.readFileSync(path.join(__dirname, f), 'utf8');
      const used = /\.(iterate|bind|pluck|raw|expand|safeIntegers)\(/.exec(src)?.[0] ?? null;
      expect({ file: f, used }).toEqual({ file: f, used: null });
    }
  });

  test('a database from before translations (migration 1) is upgraded in place: data kept, translation jobs can be queued', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-v1-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    const now = Date.now();
    old
      .prepare("INSERT INTO users (id, email, email_lower, display_name, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'A', ?)")
      .run(now);
    old
      .prepare(
        "INSERT INTO posts (id, author_id, image, image_key, caption_status, current_caption_id, created_at) VALUES ('p1', 'u1', ?, 'k', 'READY', 'c1', ?)",
      )
      .run(JSON.stringify(imageRecord()), now);
    old
      .prepare(
        "INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES ('c1', 'p1', 'a dog', 'MODEL', 1, ?)",
      )
      .run(now);
    old.close();

    const store = openSqliteStore(file);
    expect((await store.captions.findById('c1'))?.text).toBe('a dog');
    expect(await store.jobs.findByPost('p1')).toEqual([]); // old versions are not queued retroactively
    expect((await store.translations.save({ captionId: 'c1', language: 'de', text: 'ein Hund', model: 'm' }))?.postId).toBe('p1');
    const v2 = await store.captions.addVersion('p1', 'a red dog', 'USER');
    await store.jobs.enqueue({ kind: 'translation', postId: 'p1', captionId: v2.id, maxAttempts: 3 });
    expect((await store.jobs.findByPost('p1')).map((j) => j.captionId)).toEqual([v2.id]);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(migrate(new Database(':memory:'))).toBe(MIGRATIONS.length);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a database from before the one job queue keeps its caption and translation jobs, pending and leased, in `jobs`', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-jobs-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const queue = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('CREATE TABLE jobs'));
    expect(queue).toBeGreaterThan(0);
    const old = new Database(file);
    migrate(old, queue);
    const t = Date.now() - 60_000;
    old
      .prepare("INSERT INTO users (id, email, email_lower, display_name, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'A', ?)")
      .run(t);
    for (const [post, caption] of [
      ['p1', null],
      ['p2', 'c2'],
      ['p3', 'c3'],
    ] as const) {
      old
        .prepare(
          "INSERT INTO posts (id, author_id, image, image_key, caption_status, current_caption_id, created_at) VALUES (?, 'u1', ?, 'k', 'PENDING', ?, ?)",
        )
        .run(post, JSON.stringify(imageRecord()), caption, t);
      if (caption)
        old
          .prepare(
            "INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES (?, ?, 'a dog', 'USER', 1, ?)",
          )
          .run(caption, post, t);
    }
    const job = (table: string, id: string, post: string, status: string, extra: Record<string, unknown> = {}) => {
      const row: Record<string, unknown> = {
        id,
        post_id: post,
        status,
        attempts: status === 'PENDING' ? 0 : 1,
        max_attempts: 3,
        run_at: t,
        created_at: t,
        updated_at: t,
        ...extra,
      };
      old
        .prepare(
          `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
            .map(() => '?')
            .join(', ')})`,
        )
        .run(...Object.values(row));
    };
    job('caption_jobs', 'j1', 'p1', 'PENDING');
    job('caption_jobs', 'j2', 'p2', 'PROCESSING', { lease_owner: 'killed', lease_expires_at: t + 1000 }); // its worker died
    job('caption_jobs', 'j3', 'p3', 'FAILED', { last_error: 'boom' });
    job('translation_jobs', 'j4', 'p2', 'PENDING', { caption_id: 'c2' });
    job('translation_jobs', 'j5', 'p3', 'DONE', { caption_id: 'c3' });
    old.close();

    const store = openSqliteStore(file);
    const all = [
      ...(await store.jobs.findByPost('p1')),
      ...(await store.jobs.findByPost('p2')),
      ...(await store.jobs.findByPost('p3')),
    ];
    expect(all.map((j) => [j.id, j.kind, j.postId, j.captionId, j.status, j.attempts, j.lastError, j.leaseOwner]).sort()).toEqual(
      [
        ['j1', 'caption', 'p1', null, 'PENDING', 0, null, null],
        ['j2', 'caption', 'p2', null, 'PROCESSING', 1, null, 'killed'],
        ['j3', 'caption', 'p3', null, 'FAILED', 1, 'boom', null],
        ['j4', 'translation', 'p2', 'c2', 'PENDING', 0, null, null],
        ['j5', 'translation', 'p3', 'c3', 'DONE', 1, null, null],
      ],
    );
    expect(await store.jobs.countByStatus('caption')).toEqual({ PENDING: 1, PROCESSING: 1, DONE: 0, FAILED: 1 });
    // Both pending jobs and the dead worker's job run again.
    const claimed = [];
    for (let j; (j = await store.jobs.claim(['caption', 'translation'], 'w', new Date(), 1000));) claimed.push(j.id);
    expect(claimed.sort()).toEqual(['j1', 'j2', 'j4']);
    await store.close();
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toContain('jobs');
    expect(tables).not.toContain('caption_jobs');
    expect(tables).not.toContain('translation_jobs');
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a database from before sessions is upgraded in place: users at token version 0, earlier API tokens keep full (WRITE) access', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-sessions-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const sessions = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('CREATE TABLE sessions'));
    const old = new Database(file);
    for (let i = 0; i < sessions; i++) old.exec(MIGRATIONS[i] as string);
    old.pragma(`user_version = ${sessions}`);
    old
      .prepare(
        "INSERT INTO users (id, email, email_lower, display_name, password_hash, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'A', NULL, 1)",
      )
      .run();
    old
      .prepare("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ('t1', 'u1', 'old', 'h-old', 1)")
      .run();
    old.close();
    const store = openSqliteStore(file);
    expect((await store.users.findById('u1'))?.tokenVersion).toBe(0);
    expect(await store.apiTokens.findByHash('h-old')).toMatchObject({
      scope: 'WRITE',
      sessionId: null,
      tokenVersion: 0,
      revokedAt: null,
    });
    expect(await store.users.revokeAllSessions('u1', new Date())).toBe(1);
    expect((await store.apiTokens.findByHash('h-old'))?.revokedAt).toBeInstanceOf(Date);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a database from before search (migration 3, before sessions too) gets profiles, and its posts and users are searchable and tagged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-sqlite-v3-'));
    const file = path.join(dir, 'pixtale.sqlite');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m as string);
    old.pragma('user_version = 3');
    const now = Date.now();
    old
      .prepare(
        "INSERT INTO users (id, email, email_lower, display_name, created_at) VALUES ('u1', 'a@b.co', 'a@b.co', 'Émile Zola', ?)",
      )
      .run(now);
    const insertPost = old.prepare(
      "INSERT INTO posts (id, author_id, image, image_key, caption_status, current_caption_id, hashtags, created_at) VALUES (?, 'u1', ?, 'k', 'READY', ?, ?, ?)",
    );
    insertPost.run('p1', JSON.stringify(imageRecord()), 'c2', JSON.stringify(['#Bicycle', '#ÜBER']), now);
    insertPost.run('p2', JSON.stringify(imageRecord()), null, '[]', now + 1);
    const insertCaption = old.prepare(
      "INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES (?, 'p1', ?, ?, ?, ?)",
    );
    insertCaption.run('c1', 'an old caption about a tractor', 'MODEL', 1, now);
    insertCaption.run('c2', 'a red bike by the canal', 'USER', 2, now);
    old
      .prepare(
        "INSERT INTO caption_translations (caption_id, post_id, language, text, model, created_at) VALUES ('c2', 'p1', 'de', 'ein rotes Fahrrad', 'm', ?)",
      )
      .run(now);
    old.close();

    const store = openSqliteStore(file);
    expect(await store.users.findById('u1')).toMatchObject({ displayName: 'Émile Zola', bio: '', avatar: null });
    expect((await store.users.search(searchTerms('emil'), 10)).map((u) => u.id)).toEqual(['u1']);
    for (const q of ['bike can', 'fahrr', 'bicycle', 'über'])
      expect([q, (await store.posts.search(searchTerms(q), 10)).map((p) => p.id)]).toEqual([q, ['p1']]);
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
