// ESLint flat config: typed rules, React hooks, and the layering rule of ../shared/ARCHITECTURE.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { checkImport } from './scripts/layers.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const srcRoot = path.join(root, 'src');

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{message}}' } },
  create(context) {
    const check = (node, typeOnly, workerEntry = false) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const message = checkImport(context.filename, node.source.value, typeOnly, srcRoot, workerEntry);
      if (message) context.report({ node, messageId: 'layer', data: { message } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => check(node, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.exportKind === 'type'),
      ImportExpression: (node) => {
        if (node.source.type === 'Literal') check({ source: node.source }, false);
      },
      NewExpression: (node) => {
        const [first, second] = node.arguments;
        const isWorkerUrl =
          node.callee.type === 'Identifier' &&
          node.callee.name === 'URL' &&
          first?.type === 'Literal' &&
          second?.type === 'MemberExpression' &&
          second.object.type === 'MetaProperty';
        if (isWorkerUrl) check({ source: first }, false, true);
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'public'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.node.json'],
        tsconfigRootDir: root,
      },
      globals: { ...globals.browser, ...globals.node },
    },
    plugins: { tubelet: { rules: { layers: layersRule } }, 'react-hooks': reactHooks },
    rules: {
      'tubelet/layers': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Coded errors cross the worker boundary as plain SerializedError objects, by design.
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: 'SerializedError', path: 'src/shared/errors.ts' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'navigator', property: 'gpu', message: 'Only src/gpu/device.ts talks to navigator.gpu.' },
      ],
    },
  },
  {
    // `expect(() => f()).toThrow()` is the idiom in tests.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-confusing-void-expression': 'off' },
  },
  {
    files: ['src/**/*.tsx'],
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['src/gpu/device.ts', 'src/main.tsx', '**/*.test.ts', 'cli/**', 'e2e/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
