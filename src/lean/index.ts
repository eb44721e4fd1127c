/**
 * The browser's lean core: a serializer, a logger and a pipeline with the core's line format,
 * redaction and delivery rules in a fraction of the size (see docs/browser.md). Runtimes reach it
 * through src/internal.ts.
 *
 * It is also a build entry of its own (`dist/browser-core.js`, internal, not in package.json
 * exports), and it imports core modules directly, never src/index.ts or src/internal.ts: so the
 * modules it uses land in build chunks apart from the full `Logger` (whose class initializer a
 * bundler must keep) and the option rules, and a page that imports `shiplog/browser` ships only
 * what the browser logger runs.
 */
export { createLeanLogger, type LeanLogger } from './logger.js';
export { createLeanPipeline, type LeanPipeline } from './pipeline.js';
export { leanSerializer, type LeanSerializer } from './serializer.js';
// What the browser runtime uses besides, reached from here for the same reason.
export { uncheckedConsoleSink } from '../sinks/console-write.js';
export { randomId } from '../request-info.js';
export { uniqueSinkNames } from '../lifecycle/route.js';
export { RESERVED_KEYS } from '../event-line.js';
export { parseRetryAfter } from '../backoff.js';
export { utf8Length } from '../serialize-line.js';
