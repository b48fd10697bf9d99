'use client';

import { useRouter } from 'next/navigation';
import { useSession } from 'next-auth/react';
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { humanError, type ApiErrorLike } from '@/lib/errors';
import { ACCEPT, checkFile, formatBytes } from '@/lib/image-check';
import { rememberNewPost } from '@/lib/just-posted';
import { uploadPost, type UploadHandle } from '@/lib/upload';
import { usePublicConfig } from './providers';
import { Alert, Button, Card, cx } from './ui';

export function UploadForm() {
  const router = useRouter();
  const { data: session } = useSession();
  const { apiUrl, maxUploadBytes } = usePublicConfig();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [previewFailed, setPreviewFailed] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const handle = useRef<UploadHandle | null>(null);

  // The post page takes over the preview of a file that was uploaded (it shows it while the photo loads).
  const handedOff = useRef<string | null>(null);
  useEffect(() => () => void (preview && preview !== handedOff.current && URL.revokeObjectURL(preview)), [preview]);
  useEffect(() => () => handle.current?.abort(), []);

  async function choose(f: File | undefined) {
    if (!f) return;
    setError(undefined);
    const check = await checkFile(f, maxUploadBytes);
    if (!check.ok) {
      setFile(null);
      setPreview(null);
      setError(check.message);
      return;
    }
    setFile(f);
    setPreviewFailed(false);
    setPreview(URL.createObjectURL(f));
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void choose(e.dataTransfer.files[0]);
  }

  async function submit() {
    if (!file) return;
    setError(undefined);
    setProgress(0);
    handle.current = uploadPost({ apiUrl, token: session?.apiToken, file, onProgress: setProgress });
    try {
      const post = await handle.current.promise;
      handedOff.current = previewFailed ? null : preview;
      rememberNewPost(post, handedOff.current);
      router.push(`/posts/${post.id}`);
    } catch (err) {
      setProgress(null);
      setError(humanError(err as ApiErrorLike));
    }
  }

  const uploading = progress !== null;
  const pct = Math.round((progress ?? 0) * 100);

  return (
    <Card className="p-5 sm:p-8">
      {error && <Alert className="mb-5">{error}</Alert>}
      <div
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
        className={cx(
          'relative flex min-h-64 flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed p-6 text-center transition-colors focus-within:border-brand-700',
          dragging ? 'border-brand-700 bg-brand-50' : 'border-slate-300 bg-canvas',
        )}
      >
        {preview && !previewFailed ? (
          // eslint-disable-next-line @next/next/no-img-element -- local object URL preview
          <img
            src={preview}
            alt="Preview of the photo you chose"
            onError={() => setPreviewFailed(true)}
            className="max-h-80 w-auto max-w-full rounded-lg object-contain shadow"
          />
        ) : (
          <svg
            aria-hidden
            viewBox="0 0 24 24"
            className="size-12 text-brand-700"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <path d="M4 16l4.6-4.6a2 2 0 0 1 2.8 0L16 16m-2-2 1.6-1.6a2 2 0 0 1 2.8 0L20 14M14 8h.01M6 20h12a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2z" />
          </svg>
        )}
        {file ? (
          <p className="text-sm text-muted" data-testid="chosen-file">
            <span dir="auto" className="user-text">
              {file.name}
            </span>{' '}
            · {formatBytes(file.size)}
          </p>
        ) : (
          <p className="text-base font-medium">Drag a photo here</p>
        )}
        <div>
          <input
            ref={inputRef}
            id={inputId}
            type="file"
            accept={ACCEPT}
            className="peer sr-only"
            disabled={uploading}
            onChange={(e) => {
              void choose(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
          <label
            htmlFor={inputId}
            className="inline-flex min-h-11 cursor-pointer items-center rounded-lg border border-line bg-surface px-4 text-sm font-medium text-ink hover:bg-slate-50 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-700"
          >
            {file ? 'Choose another photo' : 'Choose a photo'}
          </label>
        </div>
        <p className="text-xs text-muted">JPEG, PNG, WebP, GIF or HEIC, up to {formatBytes(maxUploadBytes)}.</p>
      </div>

      <div className="mt-6 min-h-16">
        {uploading ? (
          <div>
            <div className="mb-2 flex justify-between text-sm">
              <span id="upload-progress-label">{pct < 100 ? 'Uploading…' : 'Processing your photo…'}</span>
              <span aria-hidden>{pct}%</span>
            </div>
            <div
              role="progressbar"
              aria-labelledby="upload-progress-label"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              className="h-2.5 overflow-hidden rounded-full bg-slate-200"
            >
              <div className="h-full rounded-full bg-brand-700 transition-[width]" style={{ width: `${pct}%` }} />
            </div>
          </div>
        ) : (
          <Button className="w-full sm:w-auto" disabled={!file} onClick={() => void submit()}>
            Upload and caption
          </Button>
        )}
      </div>
    </Card>
  );
}
