import type { Metadata } from 'next';
import { HashtagPage } from '@/components/hashtag-page';
import { tagKey } from '@/lib/hashtags';

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ tag: string }> }): Promise<Metadata> {
  const { tag } = await params;
  return { title: `#${tagKey(decoded(tag))}` };
}

export default async function TagPage({ params }: { params: Promise<{ tag: string }> }) {
  const { tag } = await params;
  const key = tagKey(decoded(tag));
  return <HashtagPage key={key} tag={key} />;
}
