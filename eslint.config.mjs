import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.angular', '**/test-results', '**/playwright-report', '.data/**', 'bench/results/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: ['@nestjs/*', '@angular/*', 'typeorm', 'pg', 'rxjs', 'express', 'fastify', 'node:*', 'fs', 'path', 'crypto', 'net', 'os', 'http'] },
            // @tessera/client: fetch only (runs in Node and browsers), types from @tessera/domain.
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'], bannedExternalImports: ['@nestjs/*', '@angular/*', 'typeorm', 'pg', 'rxjs', 'express', 'fastify', 'node:*', 'fs', 'path', 'crypto', 'net', 'os', 'http'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client', 'scope:api'] },
            { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client', 'scope:admin'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client', 'scope:cli'] },
            { sourceTag: 'scope:nest', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client', 'scope:nest'] },
            { sourceTag: 'scope:example', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client', 'scope:nest', 'scope:example'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/jest.config.ts'],
    languageOptions: {
      parserOptions: { projectService: true },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
];
