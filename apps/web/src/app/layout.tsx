import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { publicConfig } from '@/env';
import { getSession } from '@/server/session';
import { Providers } from '@/components/providers';
import { SiteHeader } from '@/components/site-header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Pixtale', template: '%s · Pixtale' },
  description: 'Share photos; our own model writes the captions.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#6d28d9' };

// Configuration and the session are read per request, so one build runs anywhere.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        <a
          href="#main"
          className="sr-only rounded-lg bg-brand-700 px-4 py-2 text-white focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50"
        >
          Skip to content
        </a>
        <Providers session={session} config={publicConfig()}>
          <SiteHeader />
          <main id="main" className="mx-auto w-full max-w-6xl px-4 py-6 sm:py-8">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
