// Lint rules. The workflow override mirrors the Temporal samples: workflow code runs in a deterministic
// sandbox, so Node built-ins, pino and the AWS SDK (whose browser builds webpack would silently bundle)
// are banned there, and activities may be imported only as types. The layer overrides keep the dependency
// direction client → worker → activities → domain: domain imports no other layer, activities neither the
// worker nor the client, the worker not the client; the EKS simulator (domain only) is imported by the client's
// demo and the tests alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

/** A relative import that climbs into one of the given sibling folders of src/ (`../worker/x`, `../../client`). */
const layerImport = (layers, message) => ({ regex: `^(\\.\\./)+(${layers.join('|')})(/|$)`, message });
const layerRule = (files, layers, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [layerImport(layers, message)] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'lib/**', 'dist/**', '.temporal/**', 'coverage/**'] },
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
  layerRule(
    ['src/domain/**/*.ts'],
    ['activities', 'workflows', 'worker', 'client', 'simulator'],
    'src/domain is pure logic: it imports no other layer (move the shared type into src/domain instead).',
  ),
  layerRule(
    ['src/activities/**/*.ts'],
    ['worker', 'client', 'simulator'],
    'Activities get their dependencies from the worker through their factory; they import neither worker nor client (nor the EKS simulator).',
  ),
  layerRule(
    ['src/worker/**/*.ts'],
    ['client', 'simulator'],
    'The worker does not import the client (the client may use the worker) or the EKS simulator.',
  ),
  // The EKS simulator is a layer of its own: domain code and Node built-ins only; only the client (the demo) and the
  // tests import it, so production code can never reach it (docs/execution.md).
  {
    files: ['src/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layerImport(['activities', 'workflows', 'worker', 'client'], 'The EKS simulator imports only domain code.'),
            { group: ['@aws-sdk/*', '@temporalio/*'], message: 'The EKS simulator speaks HTTP itself: no SDKs.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS run by node directly (the binary, the build-state check, the bench probe).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Formatting is Prettier's (checked by `npm run lint`); eslint keeps to correctness.
  prettier,
);
