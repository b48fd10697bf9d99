import type { Metadata } from 'next';
import { ApiTokens } from '@/components/api-tokens';
import { LogOutEverywhere } from '@/components/session-actions';
import { PageHeader } from '@/components/ui';
import { getSession } from '@/server/session';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const session = await getSession();
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="Account" />
      <p className="-mt-4 mb-6 text-sm text-muted">
        Signed in as{' '}
        <span dir="auto" className="user-text font-medium text-ink">
          {session?.user.name}
        </span>{' '}
        ({session?.user.email})
      </p>
      <div className="space-y-6">
        <ApiTokens />
        <LogOutEverywhere />
      </div>
    </div>
  );
}
