import type { Metadata } from 'next';
import { PostView } from '@/components/post-view';

export const metadata: Metadata = { title: 'Photo' };

export default async function PostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PostView id={id} />;
}
