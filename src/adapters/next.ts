/** Next.js route handler wrapper (filled by the Lambda/Edge issue). */
export {};
