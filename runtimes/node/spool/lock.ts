/**
 * An exclusive, crash-tolerant lock on a spool directory: a file created atomically (link, which fails if it exists) that holds
 * the owner's pid and process start time. A lock whose owner is gone (SIGKILL, power loss) is
 * stale and is taken over; taking over goes through a second "breaker" lock so two
 * processes that both see the same stale lock cannot both win.
 */
import { linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Locks this process holds, by path (a second sink on the same directory must not share it). */
const held = new Set<string>();

/** The outcome of {@link acquireLock}. */
export type LockResult = { ok: true; release(): void } | { ok: false; heldBy: number };

/** Start time of a process (clock ticks since boot, /proc) or '' where that is not known. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may contain spaces, so count from its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Whether the process that wrote lock content `text` still runs (same pid and same start time). */
function isAlive(text: string): boolean {
  const [pidText, started = ''] = text.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false; // unreadable: a lock cut short by a crash
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A reused pid is another process: its start time differs.
  return started === '' || startTimeOf(pid) === '' || startTimeOf(pid) === started;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Creates `path` holding this process's identity; false if it exists. The content is written to
 * a private file first and hard-linked into place, so the lock never exists empty (a reader
 * would take an empty lock for a crashed one).
 */
function create(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n${startTimeOf(process.pid)}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    remove(tmp);
  }
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Takes the lock at `path`, taking over a stale one. Never waits: a lock held by a live
 * process (or by this process already) answers `{ ok: false, heldBy }`.
 */
export function acquireLock(path: string): LockResult {
  if (held.has(path)) return { ok: false, heldBy: process.pid };
  for (let tries = 0; tries < 3; tries++) {
    if (create(path)) return granted(path);
    const text = readText(path);
    if (text === undefined) continue; // released meanwhile
    if (isAlive(text)) return { ok: false, heldBy: Number(text.split('\n')[0]) };
    const breaker = `${path}.break`;
    if (!create(breaker)) {
      const breakerText = readText(breaker);
      if (breakerText !== undefined && isAlive(breakerText)) return { ok: false, heldBy: Number(breakerText.split('\n')[0]) };
      remove(breaker); // a breaker left by a crash mid-takeover
      continue;
    }
    try {
      // Still the same stale lock? (Another process may have taken over between our reads.)
      if (readText(path) === text) remove(path);
      if (create(path)) return granted(path);
    } finally {
      remove(breaker);
    }
  }
  const text = readText(path) ?? '';
  return { ok: false, heldBy: Number(text.split('\n')[0]) || 0 };
}

function granted(path: string): LockResult {
  held.add(path);
  // Private files of processes killed between writing and linking theirs (ours is gone already).
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    if (name.startsWith(prefix) && name.endsWith('.tmp') && !isAlive(name.slice(prefix.length, -4))) remove(join(dirname(path), name));
  }
  let released = false;
  return {
    ok: true,
    release: () => {
      if (released) return;
      released = true;
      held.delete(path);
      remove(path);
    },
  };
}

/** The pid in a lock file when its owner still runs, else undefined (free or stale). */
export function lockOwner(path: string): number | undefined {
  const text = readText(path);
  return text !== undefined && isAlive(text) ? Number(text.split('\n')[0]) : undefined;
}
