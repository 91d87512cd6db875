module.exports = {
  displayName: 'example-orders',
  preset: '../../jest.preset.js',
  // A real Tessera on a real PostgreSQL: the api's harness (one embedded PostgreSQL per worker).
  testEnvironment: '<rootDir>/../api/src/testing/pg-environment.cjs',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/example-orders',
  testTimeout: 60_000,
  maxWorkers: 1,
};
