import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'util', 'stream', 'events', 'zlib', 'url', 'buffer', 'timers'];
const builtinPaths = (where) => nodeBuiltins.map((name) => ({ name, message: `no Node built-ins in ${where}` }));
/** The shells around the core: I/O, processes, rendering. */
const shells = ['../db/*', '../api/*', '../worker/*', '../config/*', '../documents/*', '../activities', '../activities/*', '../workflows', '../workflows/*', '../../db/*', '../../api/*', '../../worker/*', '../../config/*', '../../documents/*', '../../activities', '../../activities/*', '../../workflows', '../../workflows/*'];
const ioPackages = ['pg', 'kysely', 'nodemailer', 'pdfkit', 'fastify', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'];

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
    // The domain core is pure: no Node built-ins, no I/O, nothing from the shells around it.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('the domain core'),
          patterns: [
            { group: ['node:*'], message: 'no Node built-ins in the domain core' },
            { group: [...shells, ...ioPackages], message: 'the domain core does no I/O and knows no shell' },
          ],
        },
      ],
    },
  },
  {
    // Workflows replay deterministically: the same bans, and activities as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('workflows'),
          patterns: [
            { group: ['node:*'], message: 'no Node built-ins in workflows' },
            { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'import activities as types only' },
            { group: [...shells.filter((s) => !s.includes('activities') && !s.includes('workflows')), ...ioPackages], message: 'workflows do no I/O' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['jest.config.js'], languageOptions: { globals: { module: 'writable' } } },
);
