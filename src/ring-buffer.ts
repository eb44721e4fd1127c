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
    const count = this.#count;
    let items = this.#items;
    if (count === items.length && count < this.capacity) {
      // Double the array (up to capacity), laying the items out from index 0.
      items = this.take(count);
      items.length = Math.min(this.capacity, count * 2);
      this.#items = items;
      this.#head = 0;
    }
    if (count < items.length) {
      items[this.#slot(count)] = item;
      this.#count = count + 1;
      return undefined;
    }
    const head = this.#head;
    const evicted = items[head];
    items[head] = item;
    this.#head = this.#slot(1);
    return evicted;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.at(0);
  }

  /** The item `index` places after the oldest (0 = oldest). */
  at(index: number): T | undefined {
    return index < this.#count ? this.#items[this.#slot(index)] : undefined;
  }

  /** Removes and returns the oldest `n` items (fewer if the buffer holds fewer). */
  take(n: number): T[] {
    const k = Math.min(n, this.#count);
    const out = new Array<T>(k);
    for (let i = 0; i < k; i++) {
      const slot = this.#slot(i);
      out[i] = this.#items[slot] as T;
      this.#items[slot] = undefined;
    }
    this.#head = this.#slot(k);
    this.#count -= k;
    return out;
  }

  /** Array index of the item `index` places after the oldest. */
  #slot(index: number): number {
    return (this.#head + index) % this.#items.length;
  }
}
