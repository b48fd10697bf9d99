import nextPlugin from '@next/eslint-plugin-next';

/** Next.js's own rules (recommended and Core Web Vitals). */
export default [
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { '@next/next': nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
    },
  },
];
