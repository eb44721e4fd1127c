import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { createPipeline as createCorePipeline, SinkError, type LogEvent, type PipelineOptions, type Sink } from '../../src/index.js';
import { createLeanPipeline, type LeanPipeline } from '../../src/lean/pipeline.js';
import { abortableSend, event, seqOf } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

type Step =
  | { kind: 'ok'; delayMs: number }
  | { kind: 'retryable'; retryAfterMs?: number }
  | { kind: 'final' }
  | { kind: 'hang' };

type Op = { op: 'push'; count: number } | { op: 'advance'; ms: number } | { op: 'flush'; timeoutMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('ok' as const), delayMs: fc.integer({ min: 0, max: 500 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retryable' as const), retryAfterMs: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'final' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang' as const }) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), count: fc.integer({ min: 1, max: 25 }) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4000 }) }),
  fc.record({ op: fc.constant('flush' as const), timeoutMs: fc.integer({ min: 0, max: 5000 }) }),
);

/** A sink that follows a script per attempt and honours abort, so it never delivers after giving up. */
function scripted(script: Step[]) {
  const delivered: number[] = [];
  const sink: Sink = {
    name: 'random',
    write(batch: readonly LogEvent[], { signal }) {
      const s = script.shift() ?? { kind: 'ok', delayMs: 0 };
      if (s.kind === 'final') return Promise.reject(new SinkError('final', { retryable: false, status: 400 }));
      if (s.kind === 'retryable') {
        return Promise.reject(new SinkError('retry', { retryable: true, status: 503, ...(s.retryAfterMs === undefined ? {} : { retryAfterMs: s.retryAfterMs }) }));
      }
      return abortableSend(signal, s.kind === 'ok' ? s.delayMs : undefined, () => delivered.push(...batch.map(seqOf)));
    },
  };
  return { sink, delivered };
}

/** Both pipelines, the core's and the browser's lean one, must keep these properties (so they cannot drift). */
const PIPELINES: [string, (options: PipelineOptions) => LeanPipeline][] = [
  ['core Pipeline', createCorePipeline],
  ['lean browser pipeline', createLeanPipeline],
];

it.each(PIPELINES)('%s keeps accepted = delivered + dropped + pending, order, flush deadlines, and no timer after shutdown', async (_name, createPipeline) => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        size: fc.integer({ min: 1, max: 10 }),
        maxBufferSize: fc.integer({ min: 1, max: 40 }),
        intervalMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
        maxAttempts: fc.integer({ min: 1, max: 4 }),
        sendTimeoutMs: fc.integer({ min: 50, max: 3000 }),
        jitter: fc.boolean(),
      }),
      fc.array(step, { maxLength: 30 }),
      fc.array(op, { minLength: 1, maxLength: 30 }),
      async (config, script, ops) => {
        vi.useFakeTimers();
        const { sink, delivered } = scripted([...script]);
        let reportedDrops = 0;
        const settled = new Set<number>();
        const pipeline = createPipeline({
          sink,
          batch: { size: config.size, intervalMs: config.intervalMs },
          maxBufferSize: config.maxBufferSize,
          retry: { maxAttempts: config.maxAttempts, jitter: config.jitter, initialDelayMs: 200, maxDelayMs: 2000 },
          sendTimeoutMs: config.sendTimeoutMs,
          onDropped: (events) => {
            reportedDrops += events.length;
            for (const e of events) settled.add(seqOf(e));
          },
        });
        const check = () => {
          const st = pipeline.stats();
          expect(st.accepted).toBe(st.delivered + st.dropped + st.pending);
          expect(st.dropped).toBe(reportedDrops);
          expect(st.delivered).toBe(delivered.length);
        };
        const flushes: { deadline: number; resolvedAt?: number; unsettled?: number }[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.op === 'push') for (let i = 0; i < o.count; i++) pipeline.push(event(++n, Date.now()));
          else if (o.op === 'advance') await vi.advanceTimersByTimeAsync(o.ms);
          else {
            const record: { deadline: number; resolvedAt?: number; unsettled?: number } = { deadline: Date.now() + o.timeoutMs };
            flushes.push(record);
            const covered = n;
            void pipeline.flush({ timeoutMs: o.timeoutMs }).then((result) => {
              record.resolvedAt = Date.now();
              if (result.timedOut) return;
              // A flush that did not time out settled every event accepted before it.
              for (const d of delivered) settled.add(d);
              for (let seq = 1; seq <= covered; seq++) if (!settled.has(seq)) record.unsettled = seq;
              if (result.ok !== (result.dropped === 0)) record.unsettled = -1;
            });
          }
          check();
        }
        const closing = pipeline.shutdown({ timeoutMs: 2000 });
        await vi.advanceTimersByTimeAsync(2000);
        const result = await closing;
        // Right after shutdown, before any more time passes: a leaked one-shot timer is still counted.
        expect(vi.getTimerCount()).toBe(0);
        await vi.advanceTimersByTimeAsync(10_000);
        for (const f of flushes) {
          expect(f.resolvedAt).toBeDefined();
          expect(f.resolvedAt as number).toBeLessThanOrEqual(f.deadline);
          expect(f.unsettled).toBeUndefined();
        }
        // Order is preserved and nothing is delivered twice.
        for (let i = 1; i < delivered.length; i++) expect(delivered[i] as number).toBeGreaterThan(delivered[i - 1] as number);
        check();
        expect(result.pending).toBe(0);
        expect(pipeline.stats().pending).toBe(0);
        expect(vi.getTimerCount()).toBe(0);
        vi.useRealTimers();
      },
    ),
    { numRuns: 300 },
  );
});
