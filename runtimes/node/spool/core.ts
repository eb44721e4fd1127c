/**
 * The one place the spool imports shiplog's core from: the public API and the few timer and
 * error helpers it shares with the pipeline (when the core gains src/internal.ts as the surface
 * for runtimes, only this file changes).
 */
export {
  backoffDelay,
  classifyError,
  isLevel,
  PIPELINE_DEFAULTS,
  randomId,
  type LogEvent,
  type Logger,
  type Sink,
  type SinkContext,
} from '../../../src/index.js';
export { clearTimer, describeError, idempotencyKeyOf, startTimer, type Timer } from '../../../src/internal.js';
