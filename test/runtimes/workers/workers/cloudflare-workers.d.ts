/**
 * The slice of `cloudflare:workers` and the Durable Object bindings the test Workers use. The
 * type-check runs with Node's types, which @cloudflare/workers-types cannot join (both declare
 * Request/Response), so the few names needed are declared here.
 */
declare module 'cloudflare:workers' {
  export interface DurableObjectStorageSlice {
    get<T>(key: string): Promise<T | undefined>;
    put<T>(key: string, value: T): Promise<void>;
    setAlarm(scheduledTime: number | Date): Promise<void>;
  }
  export interface DurableObjectStateSlice {
    readonly id: { toString(): string; readonly name?: string };
    readonly storage: DurableObjectStorageSlice;
    waitUntil(promise: Promise<unknown>): void;
  }
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectStateSlice;
    protected env: Env;
    constructor(ctx: DurableObjectStateSlice, env: Env);
  }
}

interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

interface AlarmInvocationInfo {
  readonly retryCount: number;
  readonly isRetry: boolean;
}
