import { formatHuman as formatLine, shouldColor } from '../../src/internal.js';
import type { LogRecord } from './read-log-file.js';

/**
 * One record as the CLI prints it: the core human format ({@link formatLine}, escaped, error
 * stacks as indented lines) with the date. Colours: `'auto'` follows FORCE_COLOR, NO_COLOR and
 * whether stdout is a terminal.
 */
export function formatHuman(record: LogRecord, colors: boolean | 'auto' = 'auto'): string {
  const colored = colors === 'auto' ? shouldColor(process.stdout, process.env) : colors;
  return formatLine(record, { colors: colored, clock: 'datetime' });
}
