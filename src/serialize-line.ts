/**
 * The last bound on an event's line: whatever its parts (bound fields, call fields, message),
 * a line never exceeds `maxEventBytes` UTF-8 bytes. Only lines over the budget come here.
 */
import { RESERVED_KEYS } from './event-line.js';

/**
 * Keys kept first when a line is cut: those the logger writes itself, and the provenance shiplog's
 * ingest writes on every browser event (a cut may never make a client's event look like a server's).
 */
const ENVELOPE: ReadonlySet<string> = new Set([
  ...RESERVED_KEYS,
  'source', 'receivedAt', 'clientTime', 'timeAdjusted', 'userAgent', 'clientIp',
]);

const CUT_MARK = ',"…":"[line cut to maxEventBytes]"';

/** UTF-8 length of `text` (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a pair: 2 chars, 4 bytes
        i++;
        continue;
      }
      bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** The longest prefix of `text` whose JSON string literal fits in `bytes`. */
function cutString(text: string, bytes: number): string {
  let low = 0;
  let high = Math.min(text.length, bytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (utf8Length(JSON.stringify(`${text.slice(0, mid)}…`)) <= bytes) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}

/**
 * `line` (one JSON object) within `maxBytes`: the envelope first (then the message, cut if too long),
 * then the other fields from the last to the first as long as they fit, written in their
 * original order and marked. Bound fields come before call fields in a line, so the call's own
 * fields are the last to go.
 */
export function fitLine(line: string, maxBytes: number): string {
  if (utf8Length(line) <= maxBytes) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `{"level":"error","msg":"[unparsable line cut to maxEventBytes]"}`;
  }
  const entries = Object.entries(record);
  const pieces: (string | undefined)[] = entries.map(() => undefined);
  let left = maxBytes - 2 - utf8Length(CUT_MARK);
  const take = (index: number, cutStrings: boolean): void => {
    const [key, value] = entries[index] as [string, unknown];
    const name = JSON.stringify(key);
    let piece = `${name}:${JSON.stringify(value)}`;
    let size = utf8Length(piece) + 1;
    if (size > left && cutStrings && typeof value === 'string') {
      const room = left - utf8Length(name) - 2;
      if (room < 8) return;
      piece = `${name}:${JSON.stringify(cutString(value, room))}`;
      size = utf8Length(piece) + 1;
    }
    if (size > left) return;
    pieces[index] = piece;
    left -= size;
  };
  // The message last among them: a long one is cut to what the other envelope fields leave.
  entries.forEach(([key], index) => {
    if (key !== 'msg' && ENVELOPE.has(key)) take(index, true);
  });
  const msg = entries.findIndex(([key]) => key === 'msg');
  if (msg >= 0) take(msg, true);
  for (let index = entries.length - 1; index >= 0; index--) {
    if (!ENVELOPE.has((entries[index] as [string, unknown])[0])) take(index, false);
  }
  const kept = pieces.filter((piece) => piece !== undefined);
  return `{${kept.join(',')}${CUT_MARK}}`;
}
