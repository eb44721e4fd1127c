/**
 * shiplog for edge: the core API with this runtime's default sink and lifecycle.
 * (Thin re-export of the core for now; the edge issue fills it.)
 */
export * from '../../src/index.js';

/** Which build this is; lets tests prove conditional exports resolve to the right file. */
export const RUNTIME = 'edge';
