// One build for every output, so no step can leave a stale bundle behind:
//   dist/index.js + dist/index.d.ts      the `chatkeep` package (ESM; idb and eventsource-parser stay dependencies)
//   dist/worker.js + dist/worker.d.ts    `chatkeep/worker`
//   dist/testing.js + dist/testing.d.ts  `chatkeep/testing` (node only; imports ./worker.js, so the Worker's classes
//                                        such as ModelError and HttpError are the ones an app's own code imports)
//   demo/build/chatkeep.js               the SDK as a browser downloads it (dependencies bundled, minified)
//   demo/build/app.js                    the demo page, importing ./chatkeep.js as an app would; the demo's own
//                                        libraries (marked, dompurify) are bundled here, never in the SDK
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
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
    plugins: [ts('./worker/tsconfig.json', ['worker/**/*.ts', 'sdk/protocol.ts'])],
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
    input: 'testing/index.ts',
    output: { file: 'dist/testing.js', format: 'es', paths: testingPaths },
    external: isTestingExternal,
    plugins: [ts('./testing/tsconfig.json', ['testing/**/*.ts', 'sdk/protocol.ts'])],
  },
  {
    input: 'testing/index.ts',
    output: { file: 'dist/testing.d.ts', format: 'es', paths: testingPaths },
    external: isTestingExternal,
    plugins: [dts({ tsconfig: './testing/tsconfig.json' })],
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
];
