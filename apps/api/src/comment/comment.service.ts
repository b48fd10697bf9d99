import { checkUserText, LIMITS } from '@pixtale/shared';
import { badInput, forbidden, notFound } from '../common/errors';
import { connectionOf, pageArgs } from '../common/pagination';
import type { PostService } from '../post/post.service';
import type { PubSub } from '../pubsub/pubsub';
import type { CommentRecord, Store } from '../store';

const COMMENT = { label: 'Comment', maxLength: LIMITS.commentMaxLength };

/** Comments on posts: added by anyone signed in, deleted by their author or the post's owner. */
export class CommentService {
  constructor(
    private readonly store: Store,
    private readonly posts: PostService,
    private readonly pubsub: PubSub,
  ) {}

  async require(id: string): Promise<CommentRecord> {
    const comment = await this.store.comments.findById(id);
    if (!comment) throw notFound('Comment', id);
    return comment;
  }

  /** Normalised (normalizeUserText) and checked like captions; pushed to `commentAdded` subscribers. */
  async add(userId: string, postId: string, text: string): Promise<CommentRecord> {
    const checked = checkUserText(text, COMMENT);
    if (!checked.ok) throw badInput(checked.message, { field: 'text' });
    await this.posts.require(postId);
    const comment = await this.store.comments.create({ postId, authorId: userId, text: checked.text });
    if (!comment) throw notFound('Post', postId);
    this.pubsub.publish('COMMENT_ADDED', { postId, commentId: comment.id }, postId);
    this.pubsub.publish('POST_UPDATED', { postId }, postId); // commentCount
    return comment;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const comment = await this.require(id);
    if (comment.authorId !== userId) {
      const post = await this.store.posts.findById(comment.postId);
      if (post?.authorId !== userId) throw forbidden('Only the author of the comment or of the post can delete this comment');
    }
    if (!(await this.store.comments.delete(id))) return false;
    this.pubsub.publish('COMMENT_DELETED', { postId: comment.postId, commentId: id }, comment.postId);
    this.pubsub.publish('POST_UPDATED', { postId: comment.postId }, comment.postId);
    return true;
  }

  /** A post's comments, oldest first, with the same cursor rules as the feed. */
  async list(postId: string, first: number, after?: string | null) {
    const page = pageArgs(first, after);
    return connectionOf(await this.store.comments.listByPost(postId, { first: page.first + 1, after: page.after }), page.first);
  }
}
