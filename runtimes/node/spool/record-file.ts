/**
 * The on-disk record format of spool segments and the dead-letter file: each record is
 * `[u32 LE payload length][u32 LE CRC-32 of the payload][payload]`. A record is in the file
 * whole or not at all: a reader stops at the first record whose header is short, whose length
 * runs past the end of the file, or whose checksum does not match (a torn tail after a crash).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from './crc32.js';

/** Bytes of a record header (length + checksum). */
export const HEADER_BYTES = 8;
/** Largest payload a reader accepts; a larger length in a header means garbage, not a record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Frames a payload as one record. */
export function frameRecord(payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  record.set(payload, HEADER_BYTES);
  return record;
}

/** One record read back: its payload and where it starts and ends in the file. */
export interface StoredRecord {
  payload: Buffer;
  offset: number;
  end: number;
}

/**
 * Appends framed records to a file through one descriptor. `append` writes a record and (with
 * `fsync`) waits until the disk has it; if the write fails half-way (ENOSPC, EIO) the file is
 * cut back to where it was, so no torn record stays behind a live writer.
 */
export class RecordAppender {
  readonly #fd: number;
  readonly #fsync: boolean;
  /** Bytes in the file, all of them whole records. */
  size: number;

  constructor(path: string, fsync: boolean) {
    this.#fd = openSync(path, 'a');
    this.#fsync = fsync;
    this.size = fstatSync(this.#fd).size;
  }

  /** Appends one framed record; throws (with the file unchanged) when the disk refuses. */
  append(record: Buffer): void {
    const before = this.size;
    try {
      let written = 0;
      while (written < record.length) written += writeSync(this.#fd, record, written, record.length - written);
      if (this.#fsync) fsyncSync(this.#fd);
      this.size = before + record.length;
    } catch (error) {
      try {
        ftruncateSync(this.#fd, before);
      } catch {
        // The reader stops at the torn record anyway (its checksum cannot match).
      }
      throw error;
    }
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // Already closed.
    }
  }
}

/**
 * Reads the whole records of a file from `offset` on; stops at the end or at the first torn
 * or corrupt record (reported as `tornAt`). Reads the file once, in one buffer per record.
 */
export function readRecords(path: string, offset = 0, limit = Infinity): { records: StoredRecord[]; tornAt?: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
    throw error;
  }
  const records: StoredRecord[] = [];
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    let at = offset;
    while (at < size && records.length < limit) {
      const torn = { records, tornAt: at };
      if (size - at < HEADER_BYTES || readSync(fd, header, 0, HEADER_BYTES, at) !== HEADER_BYTES) return torn;
      const length = header.readUInt32LE(0);
      if (length > MAX_RECORD_BYTES || at + HEADER_BYTES + length > size) return torn;
      const payload = Buffer.allocUnsafe(length);
      if (readSync(fd, payload, 0, length, at + HEADER_BYTES) !== length) return torn;
      if (crc32(payload) !== header.readUInt32LE(4)) return torn;
      const end = at + HEADER_BYTES + length;
      records.push({ payload, offset: at, end });
      at = end;
    }
    return { records };
  } finally {
    closeSync(fd);
  }
}
