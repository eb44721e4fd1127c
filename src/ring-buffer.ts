/**
 * Bounded FIFO over a circular array that grows on demand up to `capacity` (a logger per
 * request should not pay for a full buffer it never fills). `push` on a full buffer evicts and
 * returns the oldest item, so callers can account for it. O(1) amortized, except `take(n)`,
 * which is O(n) in the items it returns.
 */
export class RingBuffer<T> {
  #items: (T | undefined)[];
  #head = 0;
  #count = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(Math.min(capacity, 16));
  }

  get length(): number {
    return this.#count;
  }

  /** Appends `item`; on a full buffer returns the evicted oldest item, otherwise undefined. */
  push(item: T): T | undefined {
    const items = this.#items;
    if (this.#count === items.length && items.length < this.capacity) this.#grow();
    const size = this.#items.length;
    if (this.#count < size) {
      this.#items[(this.#head + this.#count) % size] = item;
      this.#count++;
      return undefined;
    }
    const evicted = this.#items[this.#head];
    this.#items[this.#head] = item;
    this.#head = (this.#head + 1) % size;
    return evicted;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.#count === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places after the oldest (0 = oldest). */
  at(index: number): T | undefined {
    return index < this.#count ? this.#items[(this.#head + index) % this.#items.length] : undefined;
  }

  /** Removes and returns the oldest `n` items (fewer if the buffer holds fewer). */
  take(n: number): T[] {
    const k = Math.min(n, this.#count);
    const out = new Array<T>(k);
    const size = this.#items.length;
    for (let i = 0; i < k; i++) {
      const at = (this.#head + i) % size;
      out[i] = this.#items[at] as T;
      this.#items[at] = undefined;
    }
    this.#head = (this.#head + k) % size;
    this.#count -= k;
    return out;
  }

  /** Doubles the array (up to capacity), laying the items out from index 0. */
  #grow(): void {
    const next = new Array<T | undefined>(Math.min(this.capacity, this.#items.length * 2));
    for (let i = 0; i < this.#count; i++) next[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = next;
    this.#head = 0;
  }
}
