import type { Metadata } from 'next';
import { Profile } from '@/components/profile';

export const metadata: Metadata = { title: 'Profile' };

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <Profile key={id} id={id} />;
}
