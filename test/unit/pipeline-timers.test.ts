/**
 * The age timer (a batch leaves once its oldest event is `intervalMs` old) is armed once, not
 * per batch: a busy logger sends a batch every few microseconds, and a setTimeout + clearTimeout
 * pair per batch was a measurable part of its cost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPipeline as createCorePipeline, type LogEvent } from '../../src/pipeline.js';
import { createLeanPipeline } from '../../src/lean/pipeline.js';

/** Both pipelines, as in pipeline.test.ts: the core's and the browser's lean one. */
const PIPELINES = [
  ['core pipeline', createCorePipeline],
  ['lean browser pipeline', createLeanPipeline],
] as const;

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const event = (i: number): LogEvent => ({ level: 'info', time: Date.now(), line: `{"i":${i}}` });

describe.each(PIPELINES)('%s age timer', (_name, createPipeline) => {
  it('100 full batches arm one timer, and an event left alone still leaves at its age', async () => {
    vi.useFakeTimers();
    const armed = vi.spyOn(globalThis, 'setTimeout');
    let delivered = 0;
    const pipeline = createPipeline({ sink: { name: 'counting', write: (batch) => void (delivered += batch.length) }, batch: { size: 50, intervalMs: 1000 } });
    for (let b = 0; b < 100; b++) {
      for (let i = 0; i < 50; i++) pipeline.push(event(b * 50 + i));
      await vi.advanceTimersByTimeAsync(0); // the batch leaves in a microtask
    }
    expect(delivered).toBe(5000);
    expect(armed.mock.calls.length).toBeLessThanOrEqual(1);

    // The timer still armed was set for the first batch's oldest event (due at 1000 ms); an event
    // pushed at 600 ms is due at 1600 ms: the early timer re-arms for it instead of sending it young.
    await vi.advanceTimersByTimeAsync(600);
    pipeline.push(event(5000));
    await vi.advanceTimersByTimeAsync(999);
    expect(delivered).toBe(5000);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toBe(5001);
    expect(pipeline.stats()).toMatchObject({ accepted: 5001, delivered: 5001, pending: 0 });
  });
});
