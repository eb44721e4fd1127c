import { readSync } from 'node:fs';

/** One open segment file of the store. */
export interface Segment {
  id: number;
  fd: number;
  bytes: number;
}

const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Reads segment bytes backwards in 4 MB blocks and answers "this line's text, if every needle
 * group has a hit inside it". The hits of a block are found once with Buffer.indexOf, so a
 * rare word costs one native pass over the bytes, not a JSON.parse per line.
 */
export class BlockReader {
  private block: Buffer | undefined;
  private blockSegment = -1;
  private blockStart = 0;
  private hits: number[][] = [];

  private readonly buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  private needles: Buffer[][] | undefined;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly wanted: Buffer[][],
  ) {}

  /**
   * Each needle from its rarest byte on (by the byte counts of the first block): Buffer.indexOf
   * hunts for the first byte with memchr, so a needle starting with a common byte (`r` of
   * `req-…`) is several times slower than one starting with a rare byte. The verification parse
   * still checks the whole term.
   */
  private rareSuffixes(sample: Buffer): Buffer[][] {
    const counts = new Uint32Array(256);
    for (let i = 0; i < Math.min(sample.length, 262_144); i++) counts[sample[i] as number] = (counts[sample[i] as number] as number) + 1;
    return this.wanted.map((variants) =>
      variants.map((needle) => {
        let best = 0;
        for (let i = 1; i < needle.length; i++) if ((counts[needle[i] as number] as number) < (counts[needle[best] as number] as number)) best = i;
        return needle.subarray(Math.min(best, Math.max(0, needle.length - 4)));
      }),
    );
  }

  private load(segment: number, offset: number, length: number): boolean {
    const fd = this.segments.find((s) => s.id === segment)?.fd;
    if (fd === undefined) return false;
    const end = offset + length;
    const start = Math.max(0, end - Math.max(BLOCK_BYTES, length));
    const block = end - start <= this.buffer.length ? this.buffer : Buffer.allocUnsafe(end - start);
    const read = readSync(fd, block, 0, end - start, start);
    this.block = block.subarray(0, read);
    this.needles ??= this.rareSuffixes(this.block);
    this.blockSegment = segment;
    this.blockStart = start;
    const bytes = this.block;
    this.hits = this.needles.map((variants) => {
      const positions: number[] = [];
      for (const needle of variants) {
        for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) positions.push(at);
      }
      return positions.sort((a, b) => a - b);
    });
    return true;
  }

  private hasHit(positions: number[], from: number, to: number): boolean {
    // Binary search for the first hit at or after `from`.
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((positions[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < positions.length && (positions[lo] as number) < to;
  }

  line(segment: number, offset: number, length: number): string | undefined {
    const inBlock = this.block !== undefined && segment === this.blockSegment && offset >= this.blockStart && offset + length <= this.blockStart + this.block.length;
    if (!inBlock && !this.load(segment, offset, length)) return undefined;
    const from = offset - this.blockStart;
    const to = from + length;
    for (const positions of this.hits) if (!this.hasHit(positions, from, to)) return undefined;
    return (this.block as Buffer).toString('utf8', from, to);
  }

  close(): void {
    this.block = undefined;
  }
}
