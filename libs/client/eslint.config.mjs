import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    rules: {
      // Types only from @tessera/domain: the built package has no runtime dependency at all.
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
];
