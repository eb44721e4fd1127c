/**
 * Wraps an incoming email (Email Workers) so the wide event can say what the handler did with
 * it: rejected (with the reason), forwarded (to whom), replied to. The envelope addresses and the
 * raw size go into the wide event too; the body and headers do not (they are the user's data).
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

/** The email facts of the wide event. */
export interface EmailSummary {
  from: string;
  to: string;
  rawSize: number;
  /** The reason given to `setReject`, if the handler rejected the message. */
  rejected?: string;
  /** Recipients the handler forwarded the message to. */
  forwardedTo?: string[];
  /** How many replies the handler sent. */
  replies?: number;
}

/** A message whose setReject/forward/reply calls are recorded, and the summary for the wide event. */
export function trackEmail(message: ForwardableEmailMessageLike): { message: ForwardableEmailMessageLike; summary(): EmailSummary } {
  let rejected: string | undefined;
  const forwardedTo: string[] = [];
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
      forwardedTo.push(rcptTo);
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
      const summary: EmailSummary = { from: message.from, to: message.to, rawSize: message.rawSize };
      if (rejected !== undefined) summary.rejected = rejected;
      if (forwardedTo.length > 0) summary.forwardedTo = [...forwardedTo];
      if (replies > 0) summary.replies = replies;
      return summary;
    },
  };
}
