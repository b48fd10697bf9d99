import type { PostDetailFieldsFragment } from '@/graphql/generated/graphql';

/**
 * createPost's answer, handed from the upload form to the post page it opens (a client-side
 * navigation keeps this module), so the photo shows at once while the caption is being written
 * instead of waiting for the post query.
 */
const posts = new Map<string, PostDetailFieldsFragment>();

export function rememberNewPost(post: PostDetailFieldsFragment): void {
  posts.set(post.id, post);
}

/** The post as createPost returned it, once: later visits read the API. */
export function takeNewPost(id: string): PostDetailFieldsFragment | null {
  const post = posts.get(id) ?? null;
  posts.delete(id);
  return post;
}
