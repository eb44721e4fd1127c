import fc from 'fast-check';
import { expect, it } from 'vitest';
import { RingBuffer } from '../../src/ring-buffer.js';

it('behaves as a bounded FIFO that evicts the oldest, whatever the mix of operations', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100 }),
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.record({ push: fc.integer() }) },
          { weight: 1, arbitrary: fc.record({ take: fc.integer({ min: 0, max: 4 }) }) },
        ),
        { minLength: 50, maxLength: 400 },
      ),
      (capacity, ops) => {
        const ring = new RingBuffer<number>(capacity);
        const model: number[] = [];
        for (const op of ops) {
          if ('push' in op) {
            const evicted = ring.push(op.push);
            model.push(op.push);
            expect(evicted).toBe(model.length > capacity ? model.shift() : undefined);
          } else {
            expect(ring.take(op.take)).toEqual(model.splice(0, op.take));
          }
          expect(ring.length).toBe(model.length);
          expect(ring.peek()).toBe(model[0]);
          expect(ring.at(model.length - 1)).toBe(model[model.length - 1]);
        }
      },
    ),
    { numRuns: 500 },
  );
});
