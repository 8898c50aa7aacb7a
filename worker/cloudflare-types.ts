// The Workers runtime types that chatkeep's public API names, imported from `@cloudflare/workers-types` rather than
// taken from its ambient globals. The published typings then say where each type comes from, and they compile in an
// app whose one tsconfig has the DOM lib for its browser half: there those globals are absent, and adding them
// beside DOM makes dozens of conflicting declarations.
export type { ExecutionContext, KVNamespace } from '@cloudflare/workers-types';
