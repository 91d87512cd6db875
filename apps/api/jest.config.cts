module.exports = {
  displayName: 'api',
  preset: '../../jest.preset.js',
  // One embedded PostgreSQL per worker, started on first use (see src/testing/pg-environment.cjs).
  testEnvironment: '<rootDir>/src/testing/pg-environment.cjs',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/api',
  // HTTP tests on a real PostgreSQL take seconds (server start, migrations, argon2).
  testTimeout: 60_000,
  maxWorkers: 2,
};
