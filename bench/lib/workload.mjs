// The logical work every logger does in the benchmarks: one info event, message
// 'order created', five fields of mixed types, ending as one JSON line.

export const MESSAGE = 'order created';

/** Five fields: two strings, a float, a short string, an integer. */
export const FIELDS = Object.freeze({
  orderId: 'ord_8f14e45fceea167a',
  userId: 'usr_42',
  amount: 129.95,
  currency: 'EUR',
  items: 3,
});

/** Counts newline-terminated lines in a string (NDJSON). */
export function countLines(text) {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Resolves on the next turn of the event loop, after all microtasks. */
export const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * pino 10 writing to `file` through sonic-boom (`sync: false`), the reference of the file
 * benchmarks: { log(), finish() } where finish writes what sonic-boom holds and closes the fd.
 */
export async function pinoFileLogger(file) {
  const { default: pino } = await import('pino');
  const destination = pino.destination({ dest: file, sync: false });
  await new Promise((resolve) => destination.once('ready', resolve));
  const log = pino({}, destination);
  return {
    log: () => log.info(FIELDS, MESSAGE),
    finish: () =>
      new Promise((resolve, reject) => {
        destination.once('close', resolve);
        destination.once('error', reject);
        destination.end();
      }),
  };
}
