import NextAuth from 'next-auth';
import { getEnv } from '@/env';
import { buildAuthOptions } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so configuration is read at run time, not at build time, and so
// the Google sign-in callback knows the visitor's address.
async function handler(req: Request, ctx: Ctx) {
  return NextAuth(
    req as never,
    { params: await ctx.params } as never,
    buildAuthOptions(getEnv(), { headers: Object.fromEntries(req.headers) }),
  ) as Promise<Response>;
}

export { handler as GET, handler as POST };
