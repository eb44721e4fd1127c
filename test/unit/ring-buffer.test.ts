import fc from 'fast-check';
import { it } from 'vitest';
import { RingBuffer } from '../../src/ring-buffer.js';

// No timing margin: the work is bounded (300 runs of at most 300 operations, checked with plain
// comparisons rather than an expect() per step, which cost most of the time before and let a
// loaded machine pass the 5 s default), and the test has a generous timeout of its own.
it('behaves as a bounded FIFO that evicts the oldest, whatever the mix of operations', { timeout: 60_000 }, () => {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100 }),
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.record({ push: fc.integer() }) },
          { weight: 1, arbitrary: fc.record({ take: fc.integer({ min: 0, max: 4 }) }) },
        ),
        { minLength: 50, maxLength: 300 },
      ),
      (capacity, ops) => {
        const ring = new RingBuffer<number>(capacity);
        const model: number[] = [];
        for (const op of ops) {
          if ('push' in op) {
            const evicted = ring.push(op.push);
            model.push(op.push);
            if (evicted !== (model.length > capacity ? model.shift() : undefined)) return false;
          } else if (!same(ring.take(op.take), model.splice(0, op.take))) return false;
          if (ring.length !== model.length || ring.peek() !== model[0] || ring.at(model.length - 1) !== model[model.length - 1]) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
});
