/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Lint runs through `npm run lint` (ESLint, tooling/eslint); the build only type-checks.
  eslint: { ignoreDuringBuilds: true },
  // The build shares two cores with model training: keep it to one worker.
  experimental: { cpus: 1, workerThreads: false },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
