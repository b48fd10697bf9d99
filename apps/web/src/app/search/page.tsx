import type { Metadata } from 'next';
import { SearchResults } from '@/components/search-results';

export const metadata: Metadata = { title: 'Search' };

export default async function SearchPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const { q } = await searchParams;
  const query = (Array.isArray(q) ? q[0] : q)?.trim() ?? '';
  return <SearchResults key={query} query={query} />;
}
