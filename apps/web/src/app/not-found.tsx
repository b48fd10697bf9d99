import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg rounded-2xl border border-line bg-surface p-8 text-center">
      <h1 className="text-xl font-bold">Page not found</h1>
      <p className="mt-2 text-muted">That page does not exist.</p>
      <Link href="/" className="mt-4 inline-block font-semibold text-brand-700 underline">
        Back to the feed
      </Link>
    </div>
  );
}
