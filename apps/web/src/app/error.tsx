'use client';

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto max-w-lg rounded-2xl border border-red-200 bg-red-50 p-8 text-center text-red-900">
      <h1 className="text-xl font-bold">Something went wrong</h1>
      <p className="mt-2">Please try again. If it keeps happening, reload the page.</p>
      <button type="button" onClick={reset} className="mt-4 rounded-lg bg-red-700 px-4 py-2 font-medium text-white">
        Try again
      </button>
    </div>
  );
}
