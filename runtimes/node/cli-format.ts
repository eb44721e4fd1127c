import { formatHuman as formatLine } from '../../src/internal.js';
import type { LogRecord } from './read-log-file.js';

/**
 * One record as a human line: `2026-11-21 10:20:00.123 WARN  msg key=value …`, with ANSI
 * colors for the level and dimmed keys when `colors` is true.
 */
export function formatHuman(record: LogRecord, colors: boolean): string {
  return formatLine(record, { colors, clock: 'datetime' });
}
