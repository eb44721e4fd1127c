/**
 * Fixed-capacity FIFO over a circular array. `push` on a full buffer evicts and returns the
 * oldest item, so callers can account for it. All operations are O(1) except `take(n)`, which
 * is O(n) in the items it returns.
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #count = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#count;
  }

  /** Appends `item`; on a full buffer returns the evicted oldest item, otherwise undefined. */
  push(item: T): T | undefined {
    const cap = this.capacity;
    if (this.#count < cap) {
      this.#items[(this.#head + this.#count) % cap] = item;
      this.#count++;
      return undefined;
    }
    const evicted = this.#items[this.#head];
    this.#items[this.#head] = item;
    this.#head = (this.#head + 1) % cap;
    return evicted;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.#count === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places after the oldest (0 = oldest). */
  at(index: number): T | undefined {
    return index < this.#count ? this.#items[(this.#head + index) % this.capacity] : undefined;
  }

  /** Removes and returns the oldest `n` items (fewer if the buffer holds fewer). */
  take(n: number): T[] {
    const k = Math.min(n, this.#count);
    const out = new Array<T>(k);
    const cap = this.capacity;
    for (let i = 0; i < k; i++) {
      const at = (this.#head + i) % cap;
      out[i] = this.#items[at] as T;
      this.#items[at] = undefined;
    }
    this.#head = (this.#head + k) % cap;
    this.#count -= k;
    return out;
  }
}
