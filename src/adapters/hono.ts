/** Hono middleware (filled by the Workers issue). */
export {};
