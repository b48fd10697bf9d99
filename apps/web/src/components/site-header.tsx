'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { useSession } from 'next-auth/react';
import { LogOutButton } from './session-actions';
import { buttonClass, cx } from './ui';

const NAV = [
  { href: '/', label: 'Feed' },
  { href: '/upload', label: 'Upload' },
  { href: '/analytics', label: 'Analytics' },
  { href: '/account', label: 'Account' },
];

export function SiteHeader() {
  const pathname = usePathname();
  const { data: session, status } = useSession();

  return (
    <header className="sticky top-0 z-20 border-b border-line bg-surface/95 backdrop-blur">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 rounded-md text-lg font-extrabold tracking-tight text-ink">
          <span aria-hidden className="grid size-8 place-items-center rounded-lg bg-brand-700 text-white">
            P
          </span>
          Pixtale
        </Link>
        {session && (
          <nav aria-label="Main" className="order-3 w-full sm:order-none sm:w-auto">
            <ul className="flex gap-1 overflow-x-auto">
              {[...NAV, { href: `/u/${session.user.id}`, label: 'Profile' }].map((item) => {
                const active = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? 'page' : undefined}
                      className={cx(
                        'block rounded-lg px-3 py-2 text-sm font-medium',
                        active ? 'bg-brand-50 text-brand-800' : 'text-muted hover:bg-slate-100 hover:text-ink',
                      )}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        <SearchBox />
        <div className="ml-auto flex items-center gap-2">
          {status === 'loading' ? null : session ? (
            <>
              <Link
                href={`/u/${session.user.id}`}
                dir="auto"
                className="user-text hidden text-sm text-muted hover:text-ink hover:underline md:inline"
                data-testid="signed-in-as"
              >
                {session.user.name ?? session.user.email}
              </Link>
              <LogOutButton />
            </>
          ) : (
            <>
              <Link href="/login" className={buttonClass('ghost', 'sm')}>
                Log in
              </Link>
              <Link href="/signup" className={buttonClass('primary', 'sm')}>
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

/** A plain GET form: search works before the page's script has loaded, and results have a URL. */
function SearchBox() {
  const params = useSearchParams();
  const pathname = usePathname();
  const current = pathname === '/search' ? (params.get('q') ?? '') : '';
  return (
    <form role="search" action="/search" method="get" className="order-2 w-full sm:order-none sm:w-auto sm:max-w-xs sm:flex-1">
      <label htmlFor="site-search" className="sr-only">
        Search photos, people and hashtags
      </label>
      <input
        key={current}
        id="site-search"
        name="q"
        type="search"
        defaultValue={current}
        placeholder="Search"
        maxLength={200}
        autoComplete="off"
        enterKeyHint="search"
        className="block w-full rounded-lg border border-slate-400 bg-surface px-3 py-2 text-sm text-ink placeholder:text-slate-500 focus:border-brand-700 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-700"
      />
    </form>
  );
}
