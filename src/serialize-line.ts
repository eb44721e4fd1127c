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

/**
 * UTF-8 length of `text` (a lone surrogate counts as the 3 bytes of U+FFFD, as TextEncoder
 * writes it). Only for lines over a budget and for the browser sink's requests, never per event.
 */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
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
  const pieces: string[] = []; // by entry index, with holes for the entries left out
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
  // Object.values skips the holes and keeps index order.
  return `{${Object.values(pieces).join(',')}${CUT_MARK}}`;
}
