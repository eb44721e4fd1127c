import type { FlushResult, Logger } from '../../src/index.js';
import { checkOptionKeys, describeError, optionKeys } from '../../src/internal.js';

/** Process hooks of a Node logger. */
export interface ExitOptions {
  /** Flush when the event loop empties (`beforeExit`). @default true */
  beforeExit?: boolean;
  /**
   * Signals that flush (bounded by `flushTimeoutMs`) and then end the process as they would
   * have without shiplog: the signal is raised again once no other listener handles it.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[];
  /** Deadline of the flush on a signal or an uncaught exception. @default 5000 */
  flushTimeoutMs?: number;
  /**
   * Log an uncaught exception as `fatal`, flush, print it like Node does and exit with code 1.
   * Opt-in, because it installs an `uncaughtException` listener. @default false
   */
  uncaughtException?: boolean;
}

interface Registration {
  logger: Logger;
  beforeExit: boolean;
  signals: ReadonlySet<NodeJS.Signals>;
  flushTimeoutMs: number;
  uncaughtException: boolean;
  /** Pending count after a `beforeExit` flush that timed out; no new flush until it changes. */
  stuckAt: number;
}

/** Defaults of {@link ExitOptions}. */
export const EXIT_DEFAULTS = {
  beforeExit: true,
  signals: ['SIGTERM', 'SIGINT'] as readonly NodeJS.Signals[],
  flushTimeoutMs: 5000,
  uncaughtException: false,
} as const;

const registrations = new Map<Logger, Registration>();
const installedSignals = new Map<NodeJS.Signals, () => void>();
let installed = false;

const EXIT_KEYS = optionKeys<ExitOptions>({ beforeExit: true, signals: true, flushTimeoutMs: true, uncaughtException: true });

/**
 * Registers a logger with the process hooks: `exit` writes what is buffered synchronously
 * (files), `beforeExit` flushes, the chosen signals flush with a deadline and then let the
 * signal end the process. Returns the function that unregisters it.
 */
export function registerExitHooks(logger: Logger, options: ExitOptions = {}): () => void {
  checkOptionKeys(options, EXIT_KEYS, 'exit');
  registrations.set(logger, {
    logger,
    beforeExit: options.beforeExit ?? EXIT_DEFAULTS.beforeExit,
    signals: new Set(options.signals ?? EXIT_DEFAULTS.signals),
    flushTimeoutMs: options.flushTimeoutMs ?? EXIT_DEFAULTS.flushTimeoutMs,
    uncaughtException: options.uncaughtException ?? EXIT_DEFAULTS.uncaughtException,
    stuckAt: -1,
  });
  install();
  return () => {
    registrations.delete(logger);
    syncSignalListeners();
  };
}

function install(): void {
  if (!installed) {
    installed = true;
    process.on('exit', onExit);
    process.on('beforeExit', onBeforeExit);
    installDenoCrashHooks();
  }
  syncSignalListeners();
}

/**
 * Deno's `process` emulation emits 'exit' for `process.exit()` and a normal end, but not when
 * an uncaught exception or rejection ends the process: the buffered events would be lost (0 of 5
 * lines written, where Node and Bun write 5). Deno fires its own global 'error' and
 * 'unhandledrejection' events first, so the synchronous write runs there too. Not
 * `preventDefault()`ed: the process still crashes as it would have. Detected when a logger is
 * registered, never at import.
 */
function installDenoCrashHooks(): void {
  const scope = globalThis as { Deno?: unknown; addEventListener?: (type: string, listener: () => void) => void };
  if (typeof scope.Deno !== 'object' || scope.Deno === null || typeof scope.addEventListener !== 'function') return;
  scope.addEventListener('error', onExit);
  scope.addEventListener('unhandledrejection', onExit);
}

let uncaughtInstalled = false;

/** Listens to exactly the signals (and uncaught exceptions) some registered logger asked for. */
function syncSignalListeners(): void {
  const wanted = new Set<NodeJS.Signals>();
  let uncaught = false;
  for (const r of registrations.values()) {
    for (const signal of r.signals) wanted.add(signal);
    uncaught ||= r.uncaughtException;
  }
  if (uncaught !== uncaughtInstalled) {
    uncaughtInstalled = uncaught;
    if (uncaught) process.on('uncaughtException', onUncaughtException);
    else process.removeListener('uncaughtException', onUncaughtException);
  }
  for (const [signal, listener] of installedSignals) {
    if (!wanted.has(signal)) {
      process.removeListener(signal, listener);
      installedSignals.delete(signal);
    }
  }
  for (const signal of wanted) {
    if (installedSignals.has(signal)) continue;
    const listener = (): void => void onSignal(signal);
    installedSignals.set(signal, listener);
    process.on(signal, listener);
  }
}

/**
 * Keeps the process alive until `work` settles (at most `ms` plus a margin). The pipeline's
 * timers are unref'd so that logging never holds a process open; but while a lifecycle flush
 * waits for a retry backoff, nothing else may be keeping the event loop alive, and the process
 * would end mid-flush.
 */
function keepAlive<T>(work: Promise<T>, ms: number): Promise<T> {
  const timer = setTimeout(() => undefined, ms + 1000);
  return work.finally(() => clearTimeout(timer));
}

function onExit(): void {
  for (const { logger } of registrations.values()) {
    try {
      logger.flushSync();
    } catch {
      // Nothing can be reported any more; other loggers still get their chance.
    }
  }
}

function onBeforeExit(): void {
  for (const r of registrations.values()) {
    if (!r.beforeExit) continue;
    const pending = r.logger.pending;
    // A flush that timed out leaves work the loop cannot finish (e.g. a sink down); flushing
    // again on every beforeExit would keep the process alive forever.
    if (pending === 0 || pending === r.stuckAt) continue;
    void keepAlive(r.logger.flush({ timeoutMs: r.flushTimeoutMs }), r.flushTimeoutMs).then((result: FlushResult) => {
      r.stuckAt = result.timedOut ? r.logger.pending : -1;
    });
  }
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const listener = installedSignals.get(signal);
  if (listener !== undefined) process.removeListener(signal, listener);
  installedSignals.delete(signal);
  const flushing: Promise<unknown>[] = [];
  for (const r of registrations.values()) {
    if (r.signals.has(signal)) flushing.push(keepAlive(r.logger.flush({ timeoutMs: r.flushTimeoutMs }), r.flushTimeoutMs));
  }
  await Promise.all(flushing);
  // Raise the signal again so it does what it would have done: with no listener left, the
  // default action ends the process (exit status 128 + signal number).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

let handlingUncaught = false;

function onUncaughtException(error: Error, origin: string): void {
  const wanting = [...registrations.values()].filter((r) => r.uncaughtException);
  if (wanting.length === 0 || handlingUncaught) {
    // A second exception while flushing: behave like Node would.
    if (process.listenerCount('uncaughtException') <= 1) crashLikeNode(error);
    return;
  }
  handlingUncaught = true;
  for (const r of wanting) {
    r.logger.fatal(error, origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception');
    r.logger.flushSync();
  }
  const timeoutMs = Math.max(...wanting.map((r) => r.flushTimeoutMs));
  void keepAlive(Promise.all(wanting.map((r) => r.logger.flush({ timeoutMs }))), timeoutMs).finally(() => {
    // Another listener means the application handles uncaught exceptions itself.
    if (process.listenerCount('uncaughtException') <= 1) crashLikeNode(error);
    handlingUncaught = false;
  });
}

/** Prints the error the way Node does for an uncaught exception and exits with code 1. */
function crashLikeNode(error: unknown): never {
  try {
    // describeError never throws (String() does, for a null-prototype object or a hostile Proxy).
    const text = error instanceof Error && typeof error.stack === 'string' ? error.stack : describeError(error);
    process.stderr.write(`${text}\n\nNode.js ${process.version}\n`);
  } catch {
    // stderr closed or the error unprintable; the exit code still tells.
  }
  process.exit(1);
}
