// Lint rules. The workflow override mirrors the Temporal samples: workflow code runs in a deterministic
// sandbox, so Node built-ins, pino and the AWS SDK (whose browser builds webpack would silently bundle)
// are banned there, and activities may be imported only as types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'lib/**', '.temporal/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': ['error', 'always'],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code is sandboxed: no Node built-ins.' })),
          patterns: [
            {
              group: ['pino', 'pino/*', 'pino-*'],
              message: 'No pino in workflow code: use log from @temporalio/workflow.',
            },
            { group: ['@aws-sdk/*', '@smithy/*'], message: 'No AWS SDK in workflow code: call an activity.' },
            {
              group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
              message: 'Workflow code may import only @temporalio/workflow and @temporalio/common.',
            },
            {
              group: ['**/activities', '**/activities/*', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only (import type).',
            },
          ],
        },
      ],
    },
  },
  // The EKS simulator is a layer of its own: domain code and Node built-ins only, and only the client (the demo) and
  // the tests import it, so production code can never reach it (docs/execution.md).
  {
    files: ['src/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/workflows/**', '**/worker/**', '**/client/**'],
              message: 'The simulator imports only domain code.',
            },
            { group: ['@aws-sdk/*', '@temporalio/*'], message: 'The simulator speaks HTTP itself; no SDKs.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/activities/**/*.ts', 'src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/simulator', '**/simulator/**'], message: 'Only the client and tests use the EKS simulator.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Formatting is Prettier's (checked by `npm run lint`); eslint keeps to correctness.
  prettier,
);
