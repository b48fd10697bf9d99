import type Database from 'better-sqlite3';
import type { FollowRepo } from '../port';
import { placeholders, type Row } from './rows';

export function sqliteFollows(db: Database.Database): FollowRepo {
  return {
    async follow(followerId, followeeId, at) {
      const res = db
        .prepare('INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)')
        .run(followerId, followeeId, at.getTime());
      return res.changes === 1;
    },
    async unfollow(followerId, followeeId) {
      return (
        db.prepare('DELETE FROM follows WHERE follower_id = ? AND followee_id = ?').run(followerId, followeeId).changes === 1
      );
    },
    async followedIds(followerId, userIds) {
      if (userIds.length === 0) return [];
      return (
        db
          .prepare(`SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (${placeholders(userIds.length)})`)
          .all(followerId, ...userIds) as Row[]
      ).map((r) => r.followee_id as string);
    },
  };
}
