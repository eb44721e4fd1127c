/**
 * Wraps an incoming email (Email Workers) so the wide event can say what the handler did with
 * it: rejected (with the reason), forwarded (how often), replied to. Addresses are personal data
 * (the default redaction treats any `email` field as sensitive), so the wide event carries only
 * the envelope's domains and the raw size; body, headers and recipients stay out.
 */

/** The part of a Workers `ForwardableEmailMessage` shiplog uses and passes on. */
export interface ForwardableEmailMessageLike {
  /** Envelope From. */
  readonly from: string;
  /** Envelope To. */
  readonly to: string;
  readonly headers: Headers;
  readonly raw: ReadableStream<Uint8Array>;
  readonly rawSize: number;
  setReject(reason: string): void;
  forward(rcptTo: string, headers?: Headers): Promise<unknown>;
  reply(message: unknown): Promise<unknown>;
}

/** The email facts of the wide event (its `mail` field). */
export interface EmailSummary {
  /** Domain of the envelope From. */
  fromDomain: string;
  /** Domain of the envelope To. */
  toDomain: string;
  rawSize: number;
  /** The reason given to `setReject`, if the handler rejected the message. */
  rejected?: string;
  /** How many times the handler forwarded the message. */
  forwards?: number;
  /** How many replies the handler sent. */
  replies?: number;
}

/** The part after the last `@`, lower-cased ('' when there is none). */
function domainOf(address: string): string {
  const at = typeof address === 'string' ? address.lastIndexOf('@') : -1;
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** A message whose setReject/forward/reply calls are recorded, and the summary for the wide event. */
export function trackEmail(message: ForwardableEmailMessageLike): { message: ForwardableEmailMessageLike; summary(): EmailSummary } {
  let rejected: string | undefined;
  let forwards = 0;
  let replies = 0;
  const tracked: ForwardableEmailMessageLike = {
    get from() {
      return message.from;
    },
    get to() {
      return message.to;
    },
    get headers() {
      return message.headers;
    },
    get raw() {
      return message.raw;
    },
    get rawSize() {
      return message.rawSize;
    },
    setReject(reason) {
      rejected = reason;
      message.setReject(reason);
    },
    forward(rcptTo, headers) {
      forwards++;
      return headers === undefined ? message.forward(rcptTo) : message.forward(rcptTo, headers);
    },
    reply(reply) {
      replies++;
      return message.reply(reply);
    },
  };
  return {
    message: tracked,
    summary() {
      const summary: EmailSummary = { fromDomain: domainOf(message.from), toDomain: domainOf(message.to), rawSize: message.rawSize };
      if (rejected !== undefined) summary.rejected = rejected;
      if (forwards > 0) summary.forwards = forwards;
      if (replies > 0) summary.replies = replies;
      return summary;
    },
  };
}
