import type { RedactOptions } from './redact.js';

/**
 * Bounds and redaction of the serializer, shared by the core `Serializer` (src/serialize.ts)
 * and the browser's `leanSerializer` (src/lean/serializer.ts), which read the same options.
 */
export interface SerializeOptions {
  /** Nesting depth below the event's top level; deeper values become "[Object]"/"[Array]". @default 10 */
  maxDepth?: number;
  /** Characters kept of any string; the rest is replaced by a truncation marker. @default 10000 */
  maxStringLength?: number;
  /** Keys written per object (Map entries included); the rest are summarized. @default 100 */
  maxKeys?: number;
  /** Items written per array or Set; the rest are summarized. @default 100 */
  maxItems?: number;
  /**
   * Largest line of one event in UTF-8 bytes (at least 256). Members past the budget are cut
   * and marked; a line still over it (big bindings plus big fields) drops its earliest
   * non-envelope fields first, so the call's own fields and the envelope stay. @default 65536
   */
  maxEventBytes?: number;
  /** Characters kept of any key name; longer keys are truncated and marked. @default 256 */
  maxKeyLength?: number;
  /** Redaction; see {@link RedactOptions}. @default the built-in sensitive keys */
  redact?: readonly string[] | RedactOptions;
}
