/** OTLP/HTTP logs sink. */
export {};
