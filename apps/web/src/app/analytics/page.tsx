import type { Metadata } from 'next';
import { Analytics } from '@/components/analytics';
import { PageHeader } from '@/components/ui';

export const metadata: Metadata = { title: 'Analytics' };

export default function AnalyticsPage() {
  return (
    <div>
      <PageHeader title="Analytics" />
      <p className="-mt-4 mb-6 text-sm text-muted">How your photos and their captions are doing.</p>
      <Analytics />
    </div>
  );
}
