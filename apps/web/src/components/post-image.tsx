'use client';

import { forwardRef } from 'react';
import type { PostCardFieldsFragment as Post } from '@/graphql/generated/graphql';
import { altText, mediaUrl } from '@/lib/media';
import { usePublicConfig } from './providers';
import { cx } from './ui';

type Props = {
  post: Pick<Post, 'imageUrl' | 'width' | 'height' | 'caption' | 'captionStatus' | 'images'>;
  sizes: string;
  priority?: boolean;
  className?: string;
  /** Shown under the image until it has loaded (the uploader's local preview). */
  placeholder?: string | null | undefined;
};

/**
 * A post's image: intrinsic width/height reserve its box (no layout shift), `srcset` lets the
 * browser pick the feed or detail size, and `alt` is always the current caption.
 */
export const PostImage = forwardRef<HTMLImageElement, Props>(function PostImage(
  { post, sizes, priority, className, placeholder },
  ref,
) {
  const { apiUrl } = usePublicConfig();
  const variants = post.images ? [post.images.feed, post.images.detail].filter((v) => v.url && v.width > 0) : [];
  const srcSet = variants.length ? variants.map((v) => `${mediaUrl(v.url, apiUrl)} ${v.width}w`).join(', ') : undefined;
  return (
    // eslint-disable-next-line @next/next/no-img-element -- media is served by the API, already resized
    <img
      ref={ref}
      src={mediaUrl(post.imageUrl, apiUrl)}
      srcSet={srcSet}
      sizes={srcSet ? sizes : undefined}
      width={post.width || undefined}
      height={post.height || undefined}
      alt={altText(post.caption?.text, post.captionStatus)}
      loading={priority ? 'eager' : 'lazy'}
      decoding="async"
      fetchPriority={priority ? 'high' : 'auto'}
      style={{
        aspectRatio: post.width && post.height ? `${post.width} / ${post.height}` : undefined,
        ...(placeholder
          ? { backgroundImage: `url("${placeholder}")`, backgroundSize: 'cover', backgroundPosition: 'center' }
          : {}),
      }}
      className={cx('block h-auto w-full bg-slate-100 object-cover', className)}
    />
  );
});
