// Issue 12, human output: what a client puts in msg, keys or values cannot forge lines or drive
// the terminal; error stacks print as indented lines; colours only for a terminal.
import { describe, expect, it } from 'vitest';
import { escapeControl, formatHuman, prettyFormat, shouldColor } from '../../src/index.js';
import { formatHuman as cliFormat } from '../../runtimes/node/cli-format.js';

const hostile = {
  level: 'info',
  time: '2026-12-07T12:00:00.000Z',
  msg: 'ok\n12:00:00.001 FATAL forged\u001b[2J\u001b]0;pwned\u0007',
  'k\ney\u001b[31m': 'v\r\u009b31m\u202e',
  plain: 'fine',
};

describe('human format', () => {
  it.each([
    ['pretty', (r: Record<string, unknown>) => formatHuman(r)],
    ['cli', (r: Record<string, unknown>) => cliFormat(r as never, false)],
  ])('%s: control characters in msg, keys and values are escaped, one record is one line', (_name, format) => {
    const out = format(hostile);
    expect(out.split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(out).toContain('ok\\n12:00:00.001 FATAL forged\\x1b[2J\\x1b]0;pwned\\x07');
    expect(out).toContain('k\\ney\\x1b[31m=');
    expect(out).toContain('\\r\\x9b31m\\u202e');
    expect(out).toContain('plain=fine');
  });

  it('prints an error stack as indented, escaped lines after the record', () => {
    const err = { name: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)\u001b[2J' };
    const lines = formatHuman({ level: 'error', time: '2026-12-07T12:00:00.000Z', msg: 'failed', err }).split('\n');
    expect(lines[0]).toBe('12:00:00.000 ERROR failed err={"name":"Error","message":"boom"}');
    expect(lines.slice(1)).toEqual(['    Error: boom', '    at f (a.js:1:1)', '    at g (b.js:2:2)\\x1b[2J']);
  });

  it('the pretty console format escapes a line it cannot parse', () => {
    const format = prettyFormat();
    expect(format({ level: 'info', time: 0, line: 'not json\u001b[2J\n' })).toBe('not json\\x1b[2J\\n');
    expect(escapeControl('a\tb')).toBe('a\\tb');
  });

  it('colours only a terminal, honouring NO_COLOR and FORCE_COLOR', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor(undefined, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    const record = { level: 'warn', time: '2026-12-07T12:00:00.000Z', msg: 'm' };
    expect(formatHuman(record, { colors: true })).toContain('\u001b[33m');
    expect(formatHuman(record, { colors: false })).not.toContain('\u001b');
  });
});
