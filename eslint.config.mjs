import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'util', 'stream', 'events', 'zlib', 'url'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.venv/', 'coverage/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Workflows replay deterministically and the domain core is pure: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'no Node built-ins in workflows or the domain core' })),
          patterns: [
            { group: ['node:*'], message: 'no Node built-ins in workflows or the domain core' },
            { group: ['../db/*', '../api/*', '../worker/*', 'pg', 'kysely', 'nodemailer'], message: 'workflows and the domain core do no I/O' },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'no Node built-ins in workflows' },
            { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'import activities as types only' },
            { group: ['../db/*', '../api/*', '../worker/*', 'pg', 'kysely', 'nodemailer'], message: 'workflows do no I/O' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['jest.config.js'], languageOptions: { globals: { module: 'writable' } } },
);
