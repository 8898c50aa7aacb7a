// One build for every output, so no step can leave a stale bundle behind:
//   dist/index.js + dist/index.d.ts      the `chatkeep` package (ESM; idb and eventsource-parser stay dependencies)
//   dist/worker.js + dist/worker.d.ts    `chatkeep/worker`
//   dist/testing.js + dist/testing.d.ts  `chatkeep/testing` (node only; imports ./worker.js, so the Worker's classes
//                                        such as ModelError and HttpError are the ones an app's own code imports)
//   dist/worker-ai-sdk.js + .d.ts        `chatkeep/worker/ai-sdk` (ai stays a peer; ModelError comes from ./worker.js)
//   dist/react.js + dist/react.d.ts      `chatkeep/react` (react stays a peer; the core comes from `chatkeep`)
//   dist/ai-sdk.js + dist/ai-sdk.d.ts    `chatkeep/ai-sdk` (ai stays a peer; the core comes from `chatkeep`)
//   demo/build/chatkeep.js               the SDK as a browser downloads it (dependencies bundled, minified)
//   demo/build/app.js                    the demo page, importing ./chatkeep.js as an app would; the demo's own
//                                        libraries (marked, dompurify) are bundled here, never in the SDK
//   demo/react/build/app.js              the React example (React bundled), importing /build/chatkeep.js
import commonjs from '@rollup/plugin-commonjs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { resolve } from 'node:path';
import { dts } from 'rollup-plugin-dts';

const ts = (tsconfig, include) =>
  typescript({
    tsconfig,
    compilerOptions: { noEmit: false, declaration: false, sourceMap: false, outDir: undefined },
    include,
    noEmitOnError: true,
  });

const packageDependencies = ['idb', 'eventsource-parser'];
const isPackageDependency = (id) => packageDependencies.some((d) => id === d || id.startsWith(`${d}/`));

// `chatkeep/testing` takes the Worker from `chatkeep/worker` rather than a copy of it, and fake-indexeddb from the
// app (an optional peer dependency).
const isWorkerEntry = (id) => /[\\/]worker[\\/]index(\.ts)?$/.test(id);
const isTestingExternal = (id) => isPackageDependency(id) || id === 'fake-indexeddb' || isWorkerEntry(id);
const testingPaths = (id) => (isWorkerEntry(id) ? './worker.js' : id);

// `chatkeep/worker/ai-sdk` takes the model interface from `chatkeep/worker` rather than a copy of it, so the
// ModelError it throws is the class the Worker's `instanceof` knows; `ai` comes from the app (an optional peer).
const isModelProvider = (id) => /[\\/]worker[\\/]providers[\\/]model-provider(\.ts)?$/.test(id);
const isWorkerAiSdkExternal = (id) => id === 'ai' || id.startsWith('ai/') || isModelProvider(id);
const workerAiSdkPaths = (id) => (isModelProvider(id) ? './worker.js' : id);

// The adapters import the core as `../index`: in the package that is `chatkeep` itself, so an app that uses an
// adapter loads one ChatClient (and one ChatError class), not a second copy inside the adapter.
const coreAsPackage = {
  name: 'core-as-package',
  resolveId: (source, importer) =>
    source === '../index' && /[\\/]sdk[\\/](react|ai-sdk)[\\/]/.test(importer ?? '') ? { id: 'chatkeep', external: true } : null,
};
const peerDependencies = ['react', 'ai'];
const isAdapterExternal = (id) =>
  id === 'chatkeep' || isPackageDependency(id) || peerDependencies.some((d) => id === d || id.startsWith(`${d}/`));
const adapters = ['react', 'ai-sdk'].flatMap((name) => [
  {
    input: `sdk/${name}/index.ts`,
    output: { file: `dist/${name}.js`, format: 'es' },
    external: isAdapterExternal,
    plugins: [coreAsPackage, ts('./tsconfig.json', ['sdk/**/*.ts'])],
  },
  {
    input: `sdk/${name}/index.ts`,
    output: { file: `dist/${name}.d.ts`, format: 'es' },
    external: isAdapterExternal,
    plugins: [coreAsPackage, dts({ tsconfig: './tsconfig.json' })],
  },
]);

export default [
  {
    input: 'sdk/index.ts',
    output: { file: 'dist/index.js', format: 'es' },
    external: isPackageDependency,
    plugins: [ts('./tsconfig.json', ['sdk/**/*.ts'])],
  },
  {
    input: 'worker/index.ts',
    output: { file: 'dist/worker.js', format: 'es' },
    external: (id) => isPackageDependency(id) || id.startsWith('cloudflare:'),
    plugins: [ts('./worker/tsconfig.json', ['worker/**/*.ts', 'sdk/protocol.ts', 'sdk/protocol-conversations.ts', 'sdk/validate.ts'])],
  },
  {
    input: 'sdk/index.ts',
    output: { file: 'dist/index.d.ts', format: 'es' },
    external: isPackageDependency,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
  {
    input: 'worker/index.ts',
    output: { file: 'dist/worker.d.ts', format: 'es' },
    external: isPackageDependency,
    plugins: [dts({ tsconfig: './worker/tsconfig.json' })],
  },
  {
    input: 'worker/ai-sdk.ts',
    output: { file: 'dist/worker-ai-sdk.js', format: 'es', paths: workerAiSdkPaths },
    external: isWorkerAiSdkExternal,
    plugins: [ts('./worker/tsconfig.json', ['worker/**/*.ts', 'sdk/protocol.ts', 'sdk/protocol-conversations.ts'])],
  },
  {
    input: 'worker/ai-sdk.ts',
    output: { file: 'dist/worker-ai-sdk.d.ts', format: 'es', paths: workerAiSdkPaths },
    external: isWorkerAiSdkExternal,
    plugins: [dts({ tsconfig: './worker/tsconfig.json' })],
  },
  ...adapters,
  {
    input: 'worker/testing/index.ts',
    output: { file: 'dist/testing.js', format: 'es', paths: testingPaths },
    external: isTestingExternal,
    plugins: [ts('./worker/testing/tsconfig.json', ['worker/testing/**/*.ts', 'sdk/protocol.ts', 'sdk/protocol-conversations.ts'])],
  },
  {
    input: 'worker/testing/index.ts',
    output: { file: 'dist/testing.d.ts', format: 'es', paths: testingPaths },
    external: isTestingExternal,
    plugins: [dts({ tsconfig: './worker/testing/tsconfig.json' })],
  },
  {
    input: 'sdk/index.ts',
    output: { file: 'demo/build/chatkeep.js', format: 'es' },
    plugins: [nodeResolve({ browser: true }), ts('./tsconfig.json', ['sdk/**/*.ts']), terser({ ecma: 2020, module: true })],
  },
  {
    input: 'demo/src/app.ts',
    output: { file: 'demo/build/app.js', format: 'es', paths: { chatkeep: './chatkeep.js' } },
    external: ['chatkeep'],
    plugins: [
      nodeResolve({ browser: true }),
      ts('./tsconfig.json', ['demo/src/**/*.ts', 'sdk/**/*.ts']),
      terser({ ecma: 2020, module: true }),
    ],
  },
  {
    // React's development build, so that StrictMode really mounts twice in the page, as while an app is developed.
    input: 'demo/react/src/main.tsx',
    output: { file: 'demo/react/build/app.js', format: 'es', paths: { chatkeep: '/build/chatkeep.js' } },
    external: ['chatkeep'],
    plugins: [
      coreAsPackage,
      { name: 'react-adapter-source', resolveId: (source) => (source === 'chatkeep/react' ? resolve('sdk/react/index.ts') : null) },
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('development') } }),
      nodeResolve({ browser: true }),
      commonjs(),
      ts('./tsconfig.json', ['demo/react/src/**/*.tsx', 'sdk/**/*.ts']),
    ],
  },
];
