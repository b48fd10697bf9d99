import { print } from 'graphql';
import type { CreatePostMutation } from '@/graphql/generated/graphql';
import { CREATE_POST } from '@/graphql/operations';
import type { ApiErrorLike } from './errors';

export interface UploadHandle {
  promise: Promise<CreatePostMutation['createPost']>;
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
  const promise = new Promise<CreatePostMutation['createPost']>((resolve, reject) => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: print(CREATE_POST), variables: { image: null, caption: opts.caption || null } }),
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
      let body: { data?: Partial<CreatePostMutation>; errors?: ApiErrorLike['graphQLErrors'] } | undefined;
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = undefined;
      }
      if (body?.errors?.length) return reject({ graphQLErrors: body.errors } satisfies ApiErrorLike);
      const post = body?.data?.createPost;
      if (xhr.status >= 200 && xhr.status < 300 && post) {
        opts.onProgress(1);
        return resolve(post);
      }
      reject({ networkError: { response: { status: xhr.status } } } satisfies ApiErrorLike);
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
