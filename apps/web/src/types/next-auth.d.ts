import 'next-auth';
import 'next-auth/jwt';

declare module 'next-auth' {
  interface User {
    apiToken?: string;
  }
  interface Session {
    /** The API bearer token for the signed-in user (browser → API calls and graphql-ws). */
    apiToken?: string;
    user: { id: string; name?: string | null; email?: string | null; image?: string | null };
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    apiToken?: string;
  }
}
