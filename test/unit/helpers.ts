import type { LogEvent, Sink, SinkContext } from '../../src/index.js';

let seq = 0;

/** An event whose line carries a sequence number, for order checks. */
export function event(n = ++seq, time = Date.now(), pad = 0): LogEvent {
  return { level: 'info', time, line: `{"n":${n}${pad > 0 ? `,"p":"${'x'.repeat(pad)}"` : ''}}` };
}

export const seqOf = (e: LogEvent): number => (JSON.parse(e.line) as { n: number }).n;

/**
 * A send that honours abort: after `delayMs` it calls `deliver` and resolves; without a delay it
 * hangs until aborted. Abort rejects with the signal's reason and clears the delay timer, so any
 * timer left after shutdown is the pipeline's own.
 */
export function abortableSend(signal: AbortSignal, delayMs: number | undefined, deliver: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
    if (delayMs === undefined) return;
    timer = setTimeout(() => {
      deliver();
      resolve();
    }, delayMs);
  });
}

/** What a scripted sink does with one attempt. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'fail'; error: unknown }
  | { kind: 'hang' }
  | { kind: 'defer' };

/**
 * A sink whose every attempt follows a script (default: succeed), recording batches,
 * attempts and the peak number of concurrent writes.
 */
export function scriptedSink(script: Behaviour[] = [], extra: Partial<Sink> = {}) {
  const delivered: LogEvent[] = [];
  const attempts: { batch: readonly LogEvent[]; context: SinkContext }[] = [];
  const deferred: { resolve(): void; reject(e: unknown): void }[] = [];
  let active = 0;
  let peak = 0;
  const sink: Sink = {
    name: 'scripted',
    write(batch, context) {
      attempts.push({ batch, context });
      const step = script.shift() ?? { kind: 'ok' };
      active++;
      peak = Math.max(peak, active);
      const done = () => {
        active--;
      };
      if (step.kind === 'ok') {
        delivered.push(...batch);
        done();
        return Promise.resolve();
      }
      if (step.kind === 'fail') {
        done();
        return Promise.reject(step.error);
      }
      return new Promise<void>((resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          done();
          reject(context.signal.reason);
        });
        if (step.kind === 'defer') {
          deferred.push({
            resolve: () => {
              delivered.push(...batch);
              done();
              resolve();
            },
            reject: (e) => {
              done();
              reject(e);
            },
          });
        }
      });
    },
    ...extra,
  };
  return {
    sink,
    delivered,
    attempts,
    deferred,
    /** Most writes ever running at the same time. */
    peak: () => peak,
  };
}

export function httpError(status: number, retryAfterMs?: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { name: 'SinkError', retryable: status === 408 || status === 429 || status >= 500, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}
