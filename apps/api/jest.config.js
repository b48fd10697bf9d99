module.exports = require('@pixtale/jest-config');
