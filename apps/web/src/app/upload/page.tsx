import type { Metadata } from 'next';
import { UploadForm } from '@/components/upload-form';
import { PageHeader } from '@/components/ui';

export const metadata: Metadata = { title: 'Upload' };

export default function UploadPage() {
  return (
    <div className="mx-auto max-w-2xl">
      <PageHeader title="Upload a photo" />
      <p className="-mt-4 mb-6 text-sm text-muted">
        Our model writes the first caption while you watch. You can edit it any time.
      </p>
      <UploadForm />
    </div>
  );
}
