import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { safeCallbackUrl } from '@/lib/safe-redirect';
import { getSession } from '@/server/session';

export const metadata: Metadata = { title: 'Sign up' };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const session = await getSession();
  if (session?.apiToken) redirect(callbackUrl);
  const error = typeof params.error === 'string' ? params.error : undefined;
  return <AuthForm mode="signup" callbackUrl={callbackUrl} initialError={error} />;
}
