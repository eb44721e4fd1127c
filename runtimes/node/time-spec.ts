const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A point in time: a Date, epoch milliseconds, an ISO date string, or a duration ago (`10m`). */
export type TimeSpec = Date | number | string;

/**
 * Epoch milliseconds of a time spec: `Date`, epoch ms, an ISO-8601 string, or a relative
 * duration before `now` such as `500ms`, `30s`, `10m`, `2h`, `1d`, `1w`. Throws a RangeError
 * naming the value when it is none of these.
 */
export function parseSince(spec: TimeSpec, now: number = Date.now()): number {
  if (spec instanceof Date) return checked(spec.getTime(), spec);
  if (typeof spec === 'number') return checked(spec, spec);
  const relative = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(spec.trim());
  // checked: a duration of hundreds of digits is Infinity, which no later step can use.
  if (relative !== null) return checked(now - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number), spec);
  return checked(Date.parse(spec), spec);
}

function checked(ms: number, spec: unknown): number {
  if (!Number.isFinite(ms)) throw new RangeError(`shiplog: not a time: ${String(spec)} (use an ISO date or a duration like 10m)`);
  return ms;
}
