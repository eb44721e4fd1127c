/** Opaque handle of {@link startTimer}. */
export type Timer = ReturnType<typeof setTimeout>;

/** Longest delay setTimeout honours; larger values would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * setTimeout that, unless `keepAlive`, does not keep a Node/Bun process alive (unref where the
 * runtime has it). A non-finite delay means "never" and returns undefined.
 */
export function startTimer(ms: number, keepAlive: boolean, fn: () => void): Timer | undefined {
  if (!(ms < Infinity)) return undefined;
  const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
  if (!keepAlive) (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** A finite number of milliseconds >= 0: what a timer can be armed for (NaN and Infinity cannot). */
export function isMilliseconds(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value < Infinity;
}

/** Clears a timer from {@link startTimer}; returns undefined so callers can reset their field. */
export function clearTimer(timer: Timer | undefined): undefined {
  if (timer !== undefined) clearTimeout(timer);
  return undefined;
}

/**
 * Removes `items[index]` in O(1), order not kept: the last item takes its place. Returns the item
 * that moved into `index` (its owner may track where it is), or undefined when `index` was the last.
 */
export function swapRemove<T>(items: T[], index: number): T | undefined {
  const last = items.pop() as T;
  if (index >= items.length) return undefined;
  items[index] = last;
  return last;
}

/** A short, safe description of any thrown value. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) {
      // Deno's node:fs errors carry the code (ENOSPC) but not in the message, as Node's do.
      const code = (error as { code?: unknown }).code;
      const message = typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
      return `${error.name}: ${message}`;
    }
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
