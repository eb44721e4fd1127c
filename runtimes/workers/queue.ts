/**
 * Wraps a queue batch so the wide event can say what happened to each message: acked or
 * retried, explicitly or implicitly (the platform acks every message of a batch whose handler
 * returns, and retries the ones not acked when it throws).
 */

/** The part of a Workers queue `Message` shiplog uses. */
export interface QueueMessageLike<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The part of a Workers `MessageBatch` shiplog uses. */
export interface MessageBatchLike<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike<Body>[];
  ackAll(): void;
  retryAll(options?: { delaySeconds?: number }): void;
}

type Decision = 'ack' | 'retry';

/** A message's fate in the wide event. */
export interface MessageOutcome {
  id: string;
  outcome: Decision;
  /** false when no ack()/retry() call decided it and the handler's result did. */
  explicit: boolean;
}

/** A batch whose ack/retry calls are recorded, and the summary for the wide event. */
export function trackBatch<Body>(batch: MessageBatchLike<Body>): {
  batch: MessageBatchLike<Body>;
  summary(failed: boolean): { acked: number; retried: number; outcomes: MessageOutcome[] };
} {
  const decided = new Map<string, Decision>();
  let all: Decision | undefined;
  const messages = batch.messages.map(
    (message): QueueMessageLike<Body> => ({
      get id() {
        return message.id;
      },
      get timestamp() {
        return message.timestamp;
      },
      get body() {
        return message.body;
      },
      get attempts() {
        return message.attempts;
      },
      ack() {
        decided.set(message.id, 'ack');
        message.ack();
      },
      retry(options) {
        decided.set(message.id, 'retry');
        if (options === undefined) message.retry();
        else message.retry(options);
      },
    }),
  );
  const tracked: MessageBatchLike<Body> = {
    get queue() {
      return batch.queue;
    },
    messages,
    ackAll() {
      all = 'ack';
      batch.ackAll();
    },
    retryAll(options) {
      all = 'retry';
      if (options === undefined) batch.retryAll();
      else batch.retryAll(options);
    },
  };
  return {
    batch: tracked,
    summary(failed) {
      let acked = 0;
      const outcomes = batch.messages.map(({ id }): MessageOutcome => {
        const own = decided.get(id) ?? all;
        const outcome: Decision = own ?? (failed ? 'retry' : 'ack');
        if (outcome === 'ack') acked++;
        return { id, outcome, explicit: own !== undefined };
      });
      return { acked, retried: outcomes.length - acked, outcomes };
    },
  };
}
