/** Lambda's deadline for one invocation: the flush budget in `finally` and the timeout warning. */
import { clearTimer, isMilliseconds, startTimer, type Timer } from '../../src/internal.js';

/** Reads `context.getRemainingTimeInMillis()` safely; undefined when the context has none. */
function remainingOf(context: { getRemainingTimeInMillis?(): number }): number | undefined {
  try {
    const ms = context.getRemainingTimeInMillis?.();
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

export class InvocationDeadline {
  private timer: Timer | undefined;

  constructor(
    private readonly context: { getRemainingTimeInMillis?(): number },
    /** Kept free before the deadline so the handler settles before Lambda kills it. */
    private readonly marginMs: number,
  ) {}

  /** Milliseconds until Lambda's deadline, or undefined when unknown (a test or local run). */
  remainingMs(): number | undefined {
    return remainingOf(this.context);
  }

  /** The flush deadline in `finally`: `min(limitMs, remaining - margin)`, never negative. */
  flushBudget(limitMs: number): number {
    const remaining = this.remainingMs();
    return Math.max(0, remaining === undefined ? limitMs : Math.min(limitMs, remaining - this.marginMs));
  }

  /**
   * Calls `warn(flushMs)` when `warningMs + margin` remain and the invocation is still running;
   * `flushMs` is the time left before the margin. No-op when warningMs is not a finite number > 0
   * (Infinity would fire at once) or the deadline unknown.
   */
  warnBefore(warningMs: number, warn: (flushMs: number) => void): void {
    const remaining = this.remainingMs();
    if (!(isMilliseconds(warningMs) && warningMs > 0) || remaining === undefined) return;
    this.timer = startTimer(Math.max(0, remaining - this.marginMs - warningMs), false, () => {
      this.timer = undefined;
      try {
        warn(Math.max(0, (this.remainingMs() ?? warningMs) - this.marginMs));
      } catch {
        // The warning is best effort; the invocation's own outcome must not depend on it.
      }
    });
  }

  cancel(): void {
    this.timer = clearTimer(this.timer);
  }
}
