import { getEnv } from '@/env';

/** An error from the API with its stable `extensions.code`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Server-to-server GraphQL call (used by next-auth, which runs on the web server). */
export async function apiRequest<T>(
  query: string,
  variables: Record<string, unknown>,
  opts: { token?: string; headers?: Record<string, string> } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(getEnv().apiUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('NETWORK', 'The API is unreachable');
  }
  let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    if (res.status === 429) throw new ApiError('RATE_LIMITED', 'Too many requests');
    throw new ApiError('NETWORK', `The API answered ${res.status} without JSON`);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', first.message, first.extensions?.reason);
  if (!body.data) throw new ApiError('INTERNAL_SERVER_ERROR', 'The API answered without data');
  return body.data;
}
