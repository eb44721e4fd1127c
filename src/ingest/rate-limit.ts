/** Per-client request rate limit of the ingest endpoint (a token bucket per client). */
export interface RateLimitOptions {
  /** Requests a client may send in a burst. @default 30 */
  burst?: number;
  /** Tokens refilled per second (sustained requests per second). @default 5 */
  perSecond?: number;
  /** Clients tracked at once; the least recently seen is forgotten first, so memory stays bounded. @default 10000 */
  maxClients?: number;
}

const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by client, bounded in number (least recently used evicted). */
export class TokenBuckets {
  private readonly burst: number;
  private readonly perMs: number;
  private readonly maxClients: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions = {}) {
    this.burst = options.burst ?? 30;
    this.perMs = (options.perSecond ?? 5) / 1000;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Takes one token for `key`: 0 when allowed, else the milliseconds until a token is back. */
  take(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { tokens: this.burst, at: now };
    } else {
      this.buckets.delete(key); // re-insert below: Map order doubles as least-recently-used order
      bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    this.buckets.set(key, bucket);
    // EPSILON absorbs floating-point residue of the refill (0.998 + 0.002 may be 0.99999…).
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return 0;
    }
    return this.perMs > 0 ? Math.ceil((1 - bucket.tokens) / this.perMs - EPSILON) : Number.POSITIVE_INFINITY;
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }
}
