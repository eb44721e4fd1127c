/** The durable spool of Node network sinks: wrapper, status, dead letters and offline tools. */
export { spooled, SpooledSink } from './spooled-sink.js';
export { deliveryStatus, spoolOf } from './status.js';
export {
  SPOOL_DEFAULTS,
  REPLAY_DEFAULTS,
  type SpoolOptions,
  type ReplayOptions,
  type SpoolDropReason,
  type DeliveryStatus,
} from './options.js';
export type { SpooledBatch, DeadLetterReason } from './batch-record.js';
export {
  spoolDirStatus,
  findSpoolDirs,
  retryDeadLettersIn,
  clearDeadLettersIn,
  readDeadLetters,
  SpoolBusyError,
  type SpoolDirStatus,
} from './spool-dir.js';
