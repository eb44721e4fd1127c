/**
 * The dead-letter file of a spooled sink (`dead-letters.log`, same checksummed record format as
 * the segments): batches the receiver refused for good, or that used up their replay budget,
 * kept with the reason and the last error until an operator retries or clears them.
 */
import { existsSync, fsyncSync, openSync, closeSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBatchRecord, encodeBatchRecord, type SpooledBatch } from './batch-record.js';
import { frameRecord, readRecords, RecordAppender } from './record-file.js';

/** File name of the dead letters inside a spool directory. */
export const DEAD_LETTER_FILE = 'dead-letters.log';

/** Reads the dead letters of a spool directory, oldest first (no lock needed: appends are whole records). */
export function readDeadLetters(dir: string): SpooledBatch[] {
  const letters: SpooledBatch[] = [];
  for (const record of readRecords(join(dir, DEAD_LETTER_FILE)).records) {
    const batch = decodeBatchRecord(record.payload);
    if (batch !== undefined) letters.push(batch);
  }
  return letters;
}

/** Bytes the dead-letter file takes (0 when there is none). */
export function deadLetterBytes(dir: string): number {
  try {
    return statSync(join(dir, DEAD_LETTER_FILE)).size;
  } catch {
    return 0;
  }
}

/** Appends a dead letter durably. Throws when the disk refuses (the file is left as it was). */
export function appendDeadLetter(dir: string, letter: SpooledBatch): void {
  const appender = new RecordAppender(join(dir, DEAD_LETTER_FILE), true);
  try {
    appender.append(frameRecord(encodeBatchRecord(letter)));
  } finally {
    appender.close();
  }
}

/**
 * Rewrites the dead-letter file keeping only the letters `keep` accepts: written to a temporary
 * file, fsynced, then renamed over the old one, so a crash leaves either the old or the new file.
 * Returns the letters removed.
 */
export function removeDeadLetters(dir: string, remove: (letter: SpooledBatch) => boolean): SpooledBatch[] {
  const path = join(dir, DEAD_LETTER_FILE);
  if (!existsSync(path)) return [];
  const removed: SpooledBatch[] = [];
  const kept: Buffer[] = [];
  for (const letter of readDeadLetters(dir)) {
    if (remove(letter)) removed.push(letter);
    else kept.push(frameRecord(encodeBatchRecord(letter)));
  }
  if (removed.length === 0) return removed;
  if (kept.length === 0) {
    rmSync(path, { force: true });
    return removed;
  }
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const record of kept) writeSync(fd, record);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return removed;
}
