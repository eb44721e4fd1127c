import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

/**
 * A child process that creates a Node logger, writes one event and reports whether the global
 * `crypto` was read: its first use costs about 3 ms of a cold start (Web Crypto's first call),
 * so the Node entry draws its event-id prefix from node:crypto's randomFillSync.
 */
function coldStart(entry: string, first: string): { webCrypto: boolean; line: { eventId?: string } } {
  const script = `
    let webCrypto = false;
    const global = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { configurable: true, get() { webCrypto = true; return global.get.call(this); } });
    const { createLogger } = await import(${JSON.stringify(entry)});
    const lines = [];
    const log = createLogger({ sinks: [{ name: 'memory', write(b) { for (const e of b) lines.push(e.line); }, writeSync(b) { for (const e of b) lines.push(e.line); } }], console: false, exit: false });
    ${first}
    log.info('first event');
    log.flushSync();
    process.stdout.write(JSON.stringify({ webCrypto, line: JSON.parse(lines[0]) }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('cold start of the Node entry', () => {
  it('writes the first event with an id without touching the global crypto', () => {
    const { webCrypto, line } = coldStart(inject('nodeEntry'), '');
    expect(line.eventId).toMatch(/^[A-Za-z0-9_-]{16}[0-9a-z]+[0-9a-f]{2}$/);
    expect(webCrypto).toBe(false);
  });

  it('the check can fail: a read of the global crypto is seen', () => {
    const { webCrypto } = coldStart(inject('nodeEntry'), 'globalThis.crypto.getRandomValues(new Uint8Array(1));');
    expect(webCrypto).toBe(true);
  });
});
