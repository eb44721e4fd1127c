/**
 * What one spool record holds: a batch of events exactly as the pipeline had them (so each
 * event keeps its line, and with it its `eventId`), plus what the spool knows about the batch.
 * Payload text: one JSON line of metadata, then one line per event, `level<TAB>time<TAB>line`
 * (a serialized line never contains a raw newline, so no escaping is needed).
 */
import { isLevel, type LogEvent } from './core.js';

/** Why a batch went to the dead letters. */
export type DeadLetterReason = 'rejected' | 'replay-budget';

/** A batch as stored in the spool or the dead-letter file. */
export interface SpooledBatch {
  /** Random id of the batch (the handle of a dead letter in list/retry/clear). */
  readonly id: string;
  /** When the batch was first spooled, epoch ms. */
  readonly spooledAt: number;
  /** Failed sends of this batch so far (live and replayed). */
  attempts: number;
  /** Dead letters only: why the batch was given up on. */
  reason?: DeadLetterReason;
  /** The latest failure's description. */
  lastError?: string;
  /** Dead letters only: when the batch was given up on, epoch ms. */
  deadAt?: number;
  /** The events, in order, exactly as logged. */
  readonly events: readonly LogEvent[];
}

const encoder = new TextEncoder();

/** Encodes a batch as a record payload. */
export function encodeBatchRecord(batch: SpooledBatch): Uint8Array {
  const { events, ...meta } = batch;
  let text = JSON.stringify({ ...meta, count: events.length });
  for (const event of events) text += `\n${event.level}\t${event.time}\t${event.line}`;
  return encoder.encode(text);
}

/** Decodes a record payload; undefined when it is not a batch this version wrote. */
export function decodeBatchRecord(payload: Uint8Array): SpooledBatch | undefined {
  try {
    const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    const lines = text.split('\n');
    const meta = JSON.parse(lines[0] as string) as Omit<SpooledBatch, 'events'> & { count: number };
    if (typeof meta.id !== 'string' || meta.count !== lines.length - 1) return undefined;
    const events: LogEvent[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const tab1 = line.indexOf('\t');
      const tab2 = line.indexOf('\t', tab1 + 1);
      const level = line.slice(0, tab1);
      const time = Number(line.slice(tab1 + 1, tab2));
      if (!isLevel(level) || tab2 < 0 || !Number.isFinite(time)) return undefined;
      events.push({ level, time, line: line.slice(tab2 + 1) });
    }
    const { count: _count, ...rest } = meta;
    return { ...rest, events };
  } catch {
    return undefined;
  }
}
