import { Feed } from '@/components/feed';

export default async function HomePage({ searchParams }: { searchParams: Promise<{ feed?: string | string[] }> }) {
  const { feed } = await searchParams;
  return <Feed key={String(feed)} scope={feed === 'following' ? 'FOLLOWING' : 'EVERYONE'} />;
}
