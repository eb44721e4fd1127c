/**
 * Per-client limits of the ingest endpoint: token buckets for requests, body bytes and events.
 * A request needs one request token and a non-negative byte and event balance to be read; the
 * bytes and events it turned out to carry are then debited (a balance may go negative: that
 * debt is paid back by refilling before the client is served again).
 */
export interface RateLimitOptions {
  /** Requests a client may send in a burst. @default 30 */
  burst?: number;
  /** Requests refilled per second (sustained requests per second). @default 5 */
  perSecond?: number;
  /** Body bytes a client may send in a burst. @default 1048576 (1 MB) */
  burstBytes?: number;
  /** Body bytes refilled per second. @default 65536 (64 KB/s) */
  bytesPerSecond?: number;
  /** Events a client may send in a burst. @default 2000 */
  burstEvents?: number;
  /** Events refilled per second. @default 100 */
  eventsPerSecond?: number;
  /**
   * Clients tracked at once. When full, the least recently seen client whose buckets are full
   * again (nothing to remember) is forgotten; a client that is throttled or in debt is never
   * forgotten, and while every tracked client is, a new client is refused (429). @default 10000
   */
  maxClients?: number;
}

const EPSILON = 1e-9;
/** Oldest entries looked at for one eviction: keeps a full table's cost per new client bounded. */
const EVICTION_SCAN = 64;

/** One client's balances: requests, bytes, events. */
interface Bucket {
  requests: number;
  bytes: number;
  events: number;
  at: number;
}

/** Token buckets keyed by client, bounded in number. Map order is least-recently-seen first. */
export class TokenBuckets {
  private readonly burst: number;
  private readonly perMs: number;
  private readonly burstBytes: number;
  private readonly bytesPerMs: number;
  private readonly burstEvents: number;
  private readonly eventsPerMs: number;
  private readonly maxClients: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions = {}) {
    this.burst = options.burst ?? 30;
    this.perMs = (options.perSecond ?? 5) / 1000;
    this.burstBytes = options.burstBytes ?? 1_048_576;
    this.bytesPerMs = (options.bytesPerSecond ?? 65_536) / 1000;
    this.burstEvents = options.burstEvents ?? 2000;
    this.eventsPerMs = (options.eventsPerSecond ?? 100) / 1000;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /**
   * Takes one request token for `key`: 0 when allowed, else the milliseconds until the client
   * may send again (its request, byte and event balances all usable).
   */
  take(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients && !this.evictOne(now)) return 1000;
      bucket = { requests: this.burst, bytes: this.burstBytes, events: this.burstEvents, at: now };
    } else {
      this.buckets.delete(key); // re-insert below: Map order doubles as least-recently-used order
      this.refill(bucket, now);
    }
    this.buckets.set(key, bucket);
    const wait = this.waitMs(bucket);
    if (wait === 0) bucket.requests = Math.max(0, bucket.requests - 1);
    return wait;
  }

  /** Debits what an accepted request carried (bytes read, events in the batch). */
  charge(key: string, bytes: number, events: number): void {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return;
    bucket.bytes -= bytes;
    bucket.events -= events;
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at);
    bucket.requests = Math.min(this.burst, bucket.requests + elapsed * this.perMs);
    bucket.bytes = Math.min(this.burstBytes, bucket.bytes + elapsed * this.bytesPerMs);
    bucket.events = Math.min(this.burstEvents, bucket.events + elapsed * this.eventsPerMs);
    bucket.at = now;
  }

  /** 0 when a request may go ahead, else ms until every balance allows one. */
  private waitMs(bucket: Bucket): number {
    // EPSILON absorbs floating-point residue of the refill (0.998 + 0.002 may be 0.99999…).
    const need = (balance: number, floor: number, perMs: number): number =>
      balance >= floor - EPSILON ? 0 : perMs > 0 ? Math.ceil((floor - balance) / perMs - EPSILON) : Number.POSITIVE_INFINITY;
    return Math.max(need(bucket.requests, 1, this.perMs), need(bucket.bytes, 0, this.bytesPerMs), need(bucket.events, 0, this.eventsPerMs));
  }

  /**
   * Forgets one client to make room: the least recently seen whose buckets have refilled to
   * full (forgetting it loses nothing), else the least recently seen that is neither
   * throttled nor in debt. False when none of the oldest entries may go.
   */
  private evictOne(now: number): boolean {
    let fallback: string | undefined;
    let scanned = 0;
    for (const [key, bucket] of this.buckets) {
      if (scanned++ >= EVICTION_SCAN) break;
      this.refill(bucket, now);
      if (bucket.requests >= this.burst - EPSILON && bucket.bytes >= this.burstBytes - EPSILON && bucket.events >= this.burstEvents - EPSILON) {
        this.buckets.delete(key);
        return true;
      }
      if (fallback === undefined && this.waitMs(bucket) === 0 && bucket.requests >= 1) fallback = key;
    }
    if (fallback === undefined) return false;
    this.buckets.delete(fallback);
    return true;
  }
}
