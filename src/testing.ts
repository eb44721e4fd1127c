/** Helpers for testing code that logs with shiplog. */
export { memorySink, type MemorySink, type MemorySinkOptions } from './sinks/memory.js';
