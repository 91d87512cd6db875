module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  // The CLI's tests talk to a real Tessera: the api's harness, on the api's embedded PostgreSQL
  // per jest worker (apps/api/src/testing/README.md).
  testEnvironment: '<rootDir>/../api/src/testing/pg-environment.cjs',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/cli',
  testTimeout: 60_000,
  maxWorkers: 1,
};
