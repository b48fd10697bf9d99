import type { PostDetailFieldsFragment } from '@/graphql/generated/graphql';

/**
 * createPost's answer and the browser's own preview of the file, handed from the upload form to
 * the post page it opens (a client-side navigation keeps this module): the photo shows at once,
 * while the caption is being written, instead of after the post query and the image download.
 */
export interface NewPost {
  post: PostDetailFieldsFragment;
  /** Object URL of the chosen file; the post page revokes it when it closes. */
  preview: string | null;
}

const posts = new Map<string, NewPost>();

export function rememberNewPost(post: PostDetailFieldsFragment, preview: string | null): void {
  posts.set(post.id, { post, preview });
}

export function newPost(id: string): NewPost | null {
  return posts.get(id) ?? null;
}

/** Drops the hand-over (the post page has its own copy) and frees the preview. */
export function forgetNewPost(id: string): void {
  const entry = posts.get(id);
  posts.delete(id);
  if (entry?.preview) URL.revokeObjectURL(entry.preview);
}
