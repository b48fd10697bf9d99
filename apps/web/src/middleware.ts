import { NextResponse, type NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { getEnv } from '@/env';

/** Pages that need a signed-in user; anyone else is sent to log in and brought back afterwards. */
export async function middleware(req: NextRequest) {
  const token = await getToken({ req, secret: getEnv().nextAuthSecret });
  if (token?.apiToken) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = '/login';
  url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  runtime: 'nodejs',
  matcher: ['/upload/:path*', '/analytics/:path*', '/account/:path*'],
};
