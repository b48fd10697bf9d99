import baseConfig from '@pixtale/eslint-config/base';

export default baseConfig;
