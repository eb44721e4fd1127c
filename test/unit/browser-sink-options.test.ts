/**
 * browserSink's `url` check runs where option checks run (a `process` whose NODE_ENV is not
 * production, read at call time) and costs nothing in a production build (docs/browser.md).
 * Constructing the sink touches no page API, so this runs in Node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { browserSink } from '../../runtimes/browser/browser-sink.js';

const saved = process.env.NODE_ENV;
afterEach(() => {
  if (saved === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = saved;
});

describe('browserSink url', () => {
  it('is checked in development: an empty or missing url throws a TypeError naming it', () => {
    process.env.NODE_ENV = 'development';
    expect(() => browserSink({ url: '' })).toThrow(/browserSink option "url"/);
    expect(() => browserSink({} as never)).toThrow(TypeError);
    expect(browserSink({ url: '/ingest' }).name).toBe('browser');
  });

  it('is not checked in production', () => {
    process.env.NODE_ENV = 'production';
    expect(() => browserSink({ url: '' })).not.toThrow();
  });
});
