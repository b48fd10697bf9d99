import { newId } from '../ids';
import type { CommentRecord, CommentRepo } from '../port';
import type { Models } from './models';
import { toComment, type Doc } from './rows';

export function mongoComments(m: Models): CommentRepo {
  return {
    async create({ postId, authorId, text }) {
      if (!(await m.Post.exists({ _id: postId }))) return null;
      const c: CommentRecord = { id: newId(), postId, authorId, text, createdAt: new Date() };
      await m.Comment.create({ _id: c.id, postId, authorId, text, createdAt: c.createdAt });
      // The post may have been deleted between the check and the write: drop the orphan.
      if (!(await m.Post.exists({ _id: postId }))) {
        await m.Comment.deleteOne({ _id: c.id });
        return null;
      }
      return c;
    },
    async findById(id) {
      const d = await m.Comment.findById(id).lean();
      return d ? toComment(d) : null;
    },
    async findByIds(ids) {
      return (await m.Comment.find({ _id: { $in: ids } }).lean()).map(toComment);
    },
    async delete(id) {
      const d = await m.Comment.findOneAndDelete({ _id: id }).lean();
      return d ? toComment(d) : null;
    },
    async listByPost(postId, { first, after }) {
      const filter: Doc = { postId };
      if (after) filter.$or = [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, _id: { $gt: after.id } }];
      return (await m.Comment.find(filter).sort({ createdAt: 1, _id: 1 }).limit(first).lean()).map(toComment);
    },
    async countByPosts(postIds) {
      const rows = await m.Comment.aggregate<{ _id: string; n: number }>([
        { $match: { postId: { $in: [...postIds] } } },
        { $group: { _id: '$postId', n: { $sum: 1 } } },
      ]);
      return rows.map((r) => ({ postId: r._id, count: r.n }));
    },
  };
}
