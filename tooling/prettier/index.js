/**
 * Pixtale's Prettier config, shared by every workspace (`"prettier": "@pixtale/prettier-config"`).
 * Single quotes, trailing commas and long lines, as the code was written.
 * @type {import('prettier').Config}
 */
module.exports = {
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 130,
  plugins: [],
};
