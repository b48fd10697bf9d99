import baseConfig from '@pixtale/eslint-config/base';
import nextjsConfig from '@pixtale/eslint-config/nextjs';
import reactConfig from '@pixtale/eslint-config/react';

export default [...baseConfig, ...reactConfig, ...nextjsConfig];
