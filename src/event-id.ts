/**
 * Event ids: every event line carries `"eventId"`, so a receiver that dedupes by it (shiplog's
 * ingest, the database sink, ClickHouse with a ReplacingMergeTree) stores a retried or re-sent
 * event once.
 *
 * An id is a random prefix made once per logger core (16 base64url characters: 96 random bits)
 * followed by a counter (see {@link EventIds}). Unique across isolates, processes, tabs and restarts because
 * the prefix is random (two of a billion prefixes collide with probability below 10⁻¹¹); unique
 * within a logger because the counter only grows. Cost per event: one string concatenation.
 */

import { randomId } from './request-info.js';

/** Characters of the random prefix of every id. */
export const EVENT_ID_PREFIX_LENGTH = 16;

/** Fills `bytes` with cryptographically strong random values; throws where randomness is refused. */
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => unknown;

let fillRandom: RandomFill = (bytes) => crypto.getRandomValues(bytes);

/**
 * Replaces the source of the id prefixes' randomness. The Node entries pass `node:crypto`'s
 * `randomFillSync`, which they load anyway: the first use of Node's global `crypto` costs
 * about 3 ms, spent in the first log call of a cold start.
 */
export function useRandomFill(fill: RandomFill): void {
  fillRandom = fill;
}

/**
 * 16 random base64url characters. `crypto.getRandomValues` where allowed; Workers refuse it at
 * global scope, so a fallback of Math.random mixed with the clock is used then (and the caller
 * asks again at the next event, which may run inside a request).
 */
export function randomIdPrefix(): { prefix: string; strong: boolean } {
  const bytes = new Uint8Array((EVENT_ID_PREFIX_LENGTH * 3) / 4); // 6 bits a character
  let strong = true;
  try {
    fillRandom(bytes);
  } catch {
    strong = false;
    const clock = Date.now();
    for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) ^ (clock / 2 ** (i * 3));
  }
  // base64 of a multiple of 3 bytes has no padding; base64url writes - and _ for + and /.
  const prefix = btoa(String.fromCharCode(...bytes)).replace(/[+/]/g, (c) => (c === '+' ? '-' : '_'));
  return { prefix, strong };
}

/** `00"` … `ff"`: the last two characters of an id and the closing quote, made once. */
let tails: readonly string[] | undefined;

function makeTails(): readonly string[] {
  const made: string[] = [];
  for (let i = 0; i < 256; i++) made.push(`${i.toString(16).padStart(2, '0')}"`);
  return made;
}

/**
 * Hands out event ids for one logger core, as the ready-to-splice field `,"eventId":"…"`.
 * Id = prefix + block counter (base 36) + two hex digits. Turning a growing number into a string
 * costs about 45 ns, so it is done once per 256 events; each event then costs one array read and
 * one concatenation.
 */
export class EventIds {
  #prefix: string | undefined;
  /** `,"eventId":"` + prefix + block counter, for the current block of 256 ids. */
  #head = '';
  #block = -1;
  #low = 256;

  /** The next id as the field `,"eventId":"…"` (with its leading comma). */
  field(): string {
    if (this.#low === 256) this.#nextBlock();
    return this.#head + (tails as readonly string[])[this.#low++];
  }

  /** The next id alone. */
  next(): string {
    const field = this.field();
    return field.slice(ID_FIELD.length, -1);
  }

  /** The prefix is drawn lazily, never at construction (Workers refuse randomness at global scope). */
  #nextBlock(): void {
    tails ??= makeTails();
    let prefix = this.#prefix;
    if (prefix === undefined) {
      const drawn = randomIdPrefix();
      prefix = drawn.prefix;
      if (drawn.strong) this.#prefix = prefix;
    }
    this.#block++;
    // A weak prefix serves one id: the next event draws again (by then it may run inside a request).
    this.#low = this.#prefix === undefined ? 255 : 0;
    this.#head = `${ID_FIELD}${prefix}${this.#block.toString(36)}`;
  }
}

const ID_FIELD = ',"eventId":"';

/** Keys of batches whose events carry no id (`eventId: false`): one random key per batch, for all its attempts. */
const randomKeys = new WeakMap<readonly unknown[], string>();

/**
 * The `Idempotency-Key` of a batch: `<first eventId>+<events>`, the same on every attempt and
 * after a restart that re-sends the same events; a random id per batch (per array) when the
 * lines carry no `eventId` (`randomId`: no throw where `crypto.randomUUID` is missing, as on a
 * plain-http page).
 */
export function idempotencyKeyOf(batch: readonly { readonly line: string }[]): string {
  const first = batch[0];
  const id = first === undefined ? undefined : eventIdOf(first);
  if (id !== undefined) return `${id}+${batch.length}`;
  let key = randomKeys.get(batch);
  if (key === undefined) randomKeys.set(batch, (key = randomId()));
  return key;
}

/** The line head up to the id: `"time":"…"` then, unless the logger was made with `eventId: false`, `,"eventId":"<id>"`. */
const ID_AFTER_TIME = /"time":"[^"]*"(?:,"eventId":"([^"]*)")?/;

/**
 * The `eventId` of a serialized event, or undefined when the logger was made with
 * `eventId: false`. Reads the line head (`{"level":…,"time":"…","eventId":"…"`) without parsing
 * the line; a user's own `eventId` field is written as `_eventId` and never read here.
 */
export function eventIdOf(event: { readonly line: string }): string | undefined {
  return ID_AFTER_TIME.exec(event.line)?.[1];
}
