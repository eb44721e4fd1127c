/**
 * The ingest's memory of event ids it accepted recently, so a batch that comes again (a retry
 * after a late answer, a beacon re-sent by the next page load) is answered as accepted and
 * stored once.
 */

/** How many ids, and for how long, the ingest remembers. */
export interface DedupeOptions {
  /**
   * Most ids remembered; beyond it the oldest are forgotten first. Memory is about 160 bytes per
   * id for shiplog's ids (measured on Node 20: 16 MB at the default). @default 100000
   */
  maxIds?: number;
  /**
   * How long an id is remembered. A duplicate that arrives later than this (or after `maxIds`
   * newer ids) is stored again. shiplog's clients retry within about a minute and re-send
   * handed-off beacons at the next page load. @default 600000 (10 min)
   */
  windowMs?: number;
}

/** The response header that tells clients this receiver drops events whose `eventId` it already has. */
export const DEDUPE_HEADER = 'x-shiplog-dedupe';

/** Defaults of {@link DedupeOptions}. */
export const DEDUPE_DEFAULTS = { maxIds: 100_000, windowMs: 600_000 } as const;

/** Ids longer than this are not remembered (a hostile client could fill memory with huge ones); such events are stored as they come. */
const MAX_ID_LENGTH = 128;

/** A bounded window of recently accepted event ids, oldest first. */
export class RecentIds {
  readonly #maxIds: number;
  readonly #windowMs: number;
  /** id → when it was accepted; a Map iterates in insertion order, so the oldest come first. */
  readonly #ids = new Map<string, number>();

  constructor(options: DedupeOptions = {}) {
    this.#maxIds = options.maxIds ?? DEDUPE_DEFAULTS.maxIds;
    this.#windowMs = options.windowMs ?? DEDUPE_DEFAULTS.windowMs;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.#ids.size;
  }

  /**
   * Whether `id` was already accepted within the window; if not, it is remembered as accepted
   * now. A missing or unusable id (not a string, empty, too long) is never a duplicate.
   */
  isDuplicate(id: unknown, now: number): boolean {
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) return false;
    const at = this.#ids.get(id);
    if (at !== undefined && now - at < this.#windowMs) return true;
    if (at !== undefined) this.#ids.delete(id); // re-inserted below as the newest
    this.#ids.set(id, now);
    this.#evict(now);
    return false;
  }

  /** Forgets ids older than the window, and the oldest beyond `maxIds`. */
  #evict(now: number): void {
    const oldest = now - this.#windowMs;
    for (const [id, at] of this.#ids) {
      if (this.#ids.size <= this.#maxIds && at > oldest) return;
      this.#ids.delete(id);
    }
  }
}
