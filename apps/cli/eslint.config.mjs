import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The CLI's integration specs start a real Tessera with the api's test harness
    // (apps/api/src/testing/test-app.ts): the one place an app's code is imported from another
    // project. The CLI itself imports only @tessera/client and @tessera/domain.
    files: ['src/**/*.http.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
