/**
 * `getLogger()`: the current invocation's logger through AsyncLocalStorage, which workerd has
 * only with the `nodejs_compat` (or `nodejs_als`) flag. Looked up when the first invocation
 * starts, never at import, and never through a static `node:` import, so bundles without
 * nodejs_compat still build.
 */
import type { InvocationPipelines, RequestLogger } from '../../src/internal.js';

/** The part of AsyncLocalStorage shiplog uses. */
export interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

/** The AsyncLocalStorage class (`import { AsyncLocalStorage } from 'node:async_hooks'`). */
export type AsyncLocalStorageClass = new () => AsyncLocalStorageLike<unknown>;

/** What an invocation keeps in AsyncLocalStorage. */
export interface InvocationStore {
  readonly log: RequestLogger;
  /** The invocation's own pipelines (undefined for a logger that shares its route, e.g. a user's core logger). */
  readonly pipelines: InvocationPipelines | undefined;
}

/** undefined: not looked up yet; null: this isolate has none. */
let storage: AsyncLocalStorageLike<InvocationStore> | null | undefined;

interface MaybeNodeGlobals {
  AsyncLocalStorage?: unknown;
  process?: { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: unknown } | undefined };
}

/**
 * The AsyncLocalStorage shared by every wrapped handler: `explicit` if given, else the one
 * workerd provides with nodejs_compat (`process.getBuiltinModule`), else null.
 */
export function invocationStorage(explicit?: AsyncLocalStorageClass): AsyncLocalStorageLike<InvocationStore> | null {
  if (storage === undefined || (storage === null && explicit !== undefined)) {
    let Als: unknown = explicit;
    try {
      const g = globalThis as MaybeNodeGlobals;
      Als ??= g.AsyncLocalStorage ?? g.process?.getBuiltinModule?.('node:async_hooks')?.AsyncLocalStorage;
    } catch {
      Als = undefined;
    }
    storage = typeof Als === 'function' ? (new (Als as AsyncLocalStorageClass)() as AsyncLocalStorageLike<InvocationStore>) : null;
  }
  return storage;
}

/**
 * The logger of the invocation the caller runs in (a `fetch`, `scheduled`, `queue` or `email` handler
 * wrapped with `withShiplog`, or a Durable Object's `fetch`/`alarm` wrapped with `withShiplogDurableObject`). Throws an Error that says what to do when AsyncLocalStorage is
 * unavailable or when called outside a wrapped handler.
 */
export function getLogger(): RequestLogger {
  const store = storage?.getStore();
  if (store !== undefined) return store.log;
  if (storage === null) {
    throw new Error(
      'shiplog: getLogger() needs AsyncLocalStorage, which this Worker does not have. Add ' +
        'compatibility_flags = ["nodejs_compat"] to wrangler.toml, or with "nodejs_als" pass ' +
        '{ asyncLocalStorage: AsyncLocalStorage } to withShiplog(). Without either, use the logger ' +
        'your handler receives as its 4th argument: fetch(request, env, ctx, log).',
    );
  }
  throw new Error(
    'shiplog: getLogger() was called outside a handler wrapped with withShiplog() (e.g. at global ' +
      'scope). Use a logger from createLogger() there; its events are sent with the next invocation.',
  );
}
