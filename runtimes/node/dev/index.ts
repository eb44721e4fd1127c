/**
 * `shiplog dev` as a module (dist/dev.js, not a public export): the collector server and its
 * embedded store, used by the CLI command, `npm start` and the benchmark.
 */
export { EventStore, type EventStoreOptions, type QueryPage, type StoreStats } from './store.js';
export { parseQuery, matchesEvent, type EventQuery } from './query.js';
export { startDevServer, type DevServer, type DevServerOptions } from './server.js';
export { runDev } from './command.js';
