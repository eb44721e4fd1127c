/** Outcome of {@link readBodyCapped}. */
export type BodyResult =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: 'too-large' | 'empty' | 'bad-encoding' | 'unreadable' | 'timeout'; bytes: number };

function cancelBody(request: Request): void {
  try {
    void request.body?.cancel().catch(() => undefined);
  } catch {
    // A locked or already-consumed body has nothing left to release.
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * Reads a request body as UTF-8 text, chunk by chunk, and stops reading the moment it passes
 * `maxBytes`, so a 100 MB body costs no more memory than the cap. A declared Content-Length
 * over the cap is refused before anything is read. The whole body must arrive within
 * `timeoutMs`: a client trickling bytes is cut off (reason `timeout`) and its stream cancelled.
 */
export async function readBodyCapped(request: Request, maxBytes: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    cancelBody(request);
    return { ok: false, reason: 'too-large', bytes: 0 };
  }
  const body = request.body;
  if (body === null) return { ok: false, reason: 'empty', bytes: 0 };
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return { ok: false, reason: 'unreadable', bytes };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline =
    timeoutMs < Number.POSITIVE_INFINITY
      ? new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
        })
      : undefined;
  try {
    for (;;) {
      const next = deadline === undefined ? await reader.read() : await Promise.race([reader.read(), deadline]);
      if (next === TIMED_OUT) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'timeout', bytes };
      }
      const { done, value } = next;
      if (done) break;
      const chunk = value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large', bytes };
      }
      chunks.push(chunk);
    }
  } catch {
    return { ok: false, reason: 'unreadable', bytes };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (bytes === 0) return { ok: false, reason: 'empty', bytes };
  const joined = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(joined), bytes };
  } catch {
    return { ok: false, reason: 'bad-encoding', bytes };
  }
}
