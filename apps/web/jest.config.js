// Unit tests live beside the code in src/ (and scripts/); the browser suite has its own config in e2e/.
const base = require('@pixtale/jest-config');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/src', '<rootDir>/scripts'], moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' } };
