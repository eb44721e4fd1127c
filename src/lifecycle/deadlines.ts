/**
 * Flush deadlines, one constant per meaning. Each is the default of the option that names it;
 * they differ because the platforms' budgets differ.
 */
export const FLUSH_DEADLINES = {
  /** `logger.flush()` / `shutdown()` without a `timeoutMs`. */
  flush: 10_000,
  /** End of a Workers invocation (or a Hono request): well under Workers' ~30 s `waitUntil` budget. */
  invocation: 10_000,
  /** End of a fetch-style request on Vercel Edge / Next.js, handed to `waitUntil` or awaited. */
  fetchRequest: 5000,
  /** End of a Lambda invocation, in `finally`; also cut to the remaining time minus the margin. */
  lambdaInvocation: 2000,
  /** End of a Node server request (Express, Fastify, node:http): in the background, the response is already sent. */
  nodeRequest: 5000,
} as const;
