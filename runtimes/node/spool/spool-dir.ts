/**
 * A spool directory as operators see it (the CLI and the dead-letter API): its status, its dead
 * letters, and moving dead letters back into the queue or clearing them. Reading needs no lock;
 * changing takes the directory's lock, so it never races the process that replays it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SpooledBatch } from './batch-record.js';
import { deadLetterBytes, readDeadLetters, removeDeadLetters, DEAD_LETTER_FILE } from './dead-letters.js';
import { acquireLock, lockOwner } from './lock.js';
import { scanQueueDir, SpoolQueue, type OnSpoolFull, type QueueLimits } from './queue.js';

/** File name of a spool directory's lock. */
export const LOCK_FILE = 'lock';

/** What is on disk in one spool directory. */
export interface SpoolDirStatus {
  /** The directory. */
  dir: string;
  /** Pid of the live process that owns it, if any. */
  ownerPid?: number;
  /** Batches and events waiting to be replayed. */
  pendingBatches: number;
  pendingEvents: number;
  /** Bytes of the segment files. */
  spoolBytes: number;
  /** Dead-letter batches and their events. */
  deadLetters: number;
  deadLetterEvents: number;
  /** Bytes of the dead-letter file. */
  deadLetterBytes: number;
}

/** Whether `dir` looks like one sink's spool directory. */
export function isSpoolDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name === LOCK_FILE || name === 'cursor' || name === DEAD_LETTER_FILE || /^seg-\d+\.log$/.test(name));
  } catch {
    return false;
  }
}

/** The spool directories at `root`: `root` itself if it is one, else its subdirectories that are (one per sink). */
export function findSpoolDirs(root: string): string[] {
  if (isSpoolDir(root)) return [root];
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  return names.map((name) => join(root, name)).filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true && isSpoolDir(dir));
}

/** Limits used when a tool opens a queue it does not own (big enough never to drop anything). */
const TOOL_LIMITS: QueueLimits = { maxBytes: Number.MAX_SAFE_INTEGER, segmentBytes: 16 * 1024 * 1024, fsync: true };

/** Status of a spool directory, read without taking its lock. */
export function spoolDirStatus(dir: string): SpoolDirStatus {
  const letters = readDeadLetters(dir);
  const status: SpoolDirStatus = {
    dir,
    pendingBatches: 0,
    pendingEvents: 0,
    spoolBytes: 0,
    deadLetters: letters.length,
    deadLetterEvents: letters.reduce((n, letter) => n + letter.events.length, 0),
    deadLetterBytes: deadLetterBytes(dir),
  };
  const owner = lockOwner(join(dir, LOCK_FILE));
  if (owner !== undefined) status.ownerPid = owner;
  // Read-only, without the lock: taking it, even briefly, could make an application starting at
  // that moment run without its spool.
  if (existsSync(dir)) {
    for (const segment of scanQueueDir(dir).segments) {
      status.spoolBytes += segment.bytes;
      status.pendingBatches += segment.pending.length;
      for (const position of segment.pending) status.pendingEvents += position.events;
    }
  }
  return status;
}

/** The error a change to a spool directory that another live process owns fails with. */
export class SpoolBusyError extends Error {
  override readonly name = 'SpoolBusyError';
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
  ) {
    super(`spool ${dir} is owned by running process ${ownerPid}; use its API (spoolOf(logger).retryDeadLetters()) or stop it first`);
  }
}

/** Runs `work` holding the directory's lock; throws {@link SpoolBusyError} if a live process owns it. */
function withLock<T>(dir: string, work: () => T): T {
  const lock = acquireLock(join(dir, LOCK_FILE));
  if (!lock.ok) throw new SpoolBusyError(dir, lock.heldBy);
  try {
    return work();
  } finally {
    lock.release();
  }
}

/** Selects dead letters by id (all when `ids` is undefined or empty). */
const byIds = (ids: readonly string[] | undefined) => (letter: SpooledBatch) => ids === undefined || ids.length === 0 || ids.includes(letter.id);

/**
 * Moves dead letters (all, or those with the given ids) back into a queue, oldest first. They
 * are appended to the queue before they leave the dead-letter file: a crash in between leaves a
 * batch in both (sent twice, stored once by a receiver that dedupes by `eventId`), never in neither.
 */
export function requeueDeadLetters(queue: SpoolQueue, ids: readonly string[] | undefined, onFull: OnSpoolFull): SpooledBatch[] {
  const chosen = readDeadLetters(queue.dir).filter(byIds(ids));
  for (const letter of chosen) {
    const { reason: _reason, deadAt: _deadAt, ...batch } = letter;
    queue.append({ ...batch, attempts: 0 }, onFull);
  }
  const moved = new Set(chosen.map((letter) => letter.id));
  return removeDeadLetters(queue.dir, (letter) => moved.has(letter.id));
}

/** CLI/offline: moves dead letters back into the spool of a directory no live process owns. */
export function retryDeadLettersIn(dir: string, ids?: readonly string[]): SpooledBatch[] {
  return withLock(dir, () => {
    const queue = new SpoolQueue(dir, TOOL_LIMITS);
    try {
      return requeueDeadLetters(queue, ids, () => undefined);
    } finally {
      queue.close();
    }
  });
}

/** CLI/offline: deletes dead letters (all, or those with the given ids) of a directory no live process owns. */
export function clearDeadLettersIn(dir: string, ids?: readonly string[]): SpooledBatch[] {
  return withLock(dir, () => removeDeadLetters(dir, byIds(ids)));
}

export { readDeadLetters };
