import { CREATE_POST_SOURCE } from '@/graphql/operations';
import type { ApiErrorLike } from './errors';

export interface UploadHandle {
  promise: Promise<{ id: string }>;
  abort: () => void;
}

/**
 * Sends createPost as a GraphQL multipart request (operations + map + file) with
 * XMLHttpRequest, because fetch cannot report upload progress.
 */
export function uploadPost(opts: {
  apiUrl: string;
  token: string | undefined;
  file: File;
  caption?: string;
  onProgress: (fraction: number) => void;
}): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<{ id: string }>((resolve, reject) => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: CREATE_POST_SOURCE, variables: { image: null, caption: opts.caption || null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.image'] }));
    form.append('0', opts.file, opts.file.name || 'image');

    xhr.open('POST', opts.apiUrl);
    xhr.setRequestHeader('apollo-require-preflight', 'true');
    if (opts.token) xhr.setRequestHeader('authorization', `Bearer ${opts.token}`);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject({ networkError: new Error('network') } satisfies ApiErrorLike);
    xhr.onabort = () => reject({ networkError: new Error('aborted') } satisfies ApiErrorLike);
    xhr.onload = () => {
      let body: { data?: { createPost?: { id: string } }; errors?: ApiErrorLike['graphQLErrors'] } | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (body?.errors?.length) return reject({ graphQLErrors: body.errors } satisfies ApiErrorLike);
      const id = body?.data?.createPost?.id;
      if (xhr.status >= 200 && xhr.status < 300 && id) {
        opts.onProgress(1);
        return resolve({ id });
      }
      reject({ networkError: { response: { status: xhr.status } } } satisfies ApiErrorLike);
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
