import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Options of {@link followLines}. */
export interface FollowOptions {
  /** How often the file is checked for new bytes. @default 200 */
  pollMs?: number;
  /** Stops following. */
  signal?: AbortSignal;
  /** Called each time the reader has reached the end of the file, before it waits for more. @default undefined */
  onCaughtUp?: () => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * Yields the complete lines of `path` from the start, then new ones as they are appended
 * (`tail -F`): when the file is rotated (replaced or truncated), the old file is read to its
 * end and the new one from its start. A line is yielded only once its newline is written.
 */
export async function* followLines(path: string, options: FollowOptions = {}): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 200;
  const buffer = Buffer.alloc(65_536);
  let fd = -1;
  let ino = -1;
  let position = 0;
  let decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    while (options.signal?.aborted !== true) {
      if (fd < 0) {
        try {
          fd = openSync(path, 'r');
          ino = fstatSync(fd).ino;
          position = 0;
          decoder = new StringDecoder('utf8');
          rest = '';
        } catch {
          options.onCaughtUp?.(); // nothing to read yet
          await sleep(pollMs, options.signal); // not created yet, or mid-rotation
          continue;
        }
      }
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read > 0) {
        position += read;
        const lines = (rest + decoder.write(buffer.subarray(0, read))).split('\n');
        rest = lines.pop() as string;
        for (const line of lines) yield line;
        continue;
      }
      let replaced = false;
      try {
        const now = statSync(path);
        replaced = now.ino !== ino || now.size < position;
      } catch {
        replaced = true;
      }
      if (replaced) {
        closeSync(fd);
        fd = -1;
        continue;
      }
      options.onCaughtUp?.();
      await sleep(pollMs, options.signal);
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
