/** Ingest endpoint for browser batches (filled by the Browser issue). */
export {};
