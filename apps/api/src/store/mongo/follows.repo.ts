import type { FollowRepo } from '../port';
import type { Models } from './models';
import { isDup } from './rows';

export function mongoFollows(m: Models): FollowRepo {
  return {
    async follow(followerId, followeeId, at) {
      try {
        await m.Follow.create({ _id: `${followerId}:${followeeId}`, followerId, followeeId, createdAt: at });
        return true;
      } catch (e) {
        if (isDup(e)) return false;
        throw e;
      }
    },
    async unfollow(followerId, followeeId) {
      return (await m.Follow.deleteOne({ followerId, followeeId })).deletedCount === 1;
    },
    async followedIds(followerId, userIds) {
      return (await m.Follow.find({ followerId, followeeId: { $in: userIds } }, { followeeId: 1 }).lean()).map(
        (d) => d.followeeId as string,
      );
    },
  };
}
