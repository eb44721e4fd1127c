// What the core `Serializer` writes for collections and web objects instead of walking them;
// the lean browser serializer writes these by their own fields instead.

/**
 * The plain object the core `Serializer` writes for a Map, Headers, Request or Response, or
 * undefined for anything else. Web objects are summarized by method, URL, status and headers,
 * never their bodies (reading one would consume it). A Map keeps its first `maxKeys + 1` entries
 * (one past the bound, so the writer still marks the object as truncated), with non-string keys
 * as bounded strings.
 */
export function summaryFields(v: object, maxKeys: number, maxKeyLength: number): object | undefined {
  if (v instanceof Map) {
    const entries: Record<string, unknown> = {};
    let n = 0;
    for (const [key, item] of v) {
      if (n++ > maxKeys) break;
      entries[typeof key === 'string' ? key : String(key).slice(0, maxKeyLength + 1)] = item;
    }
    return entries;
  }
  if (typeof Headers === 'function' && v instanceof Headers) {
    const entries: Record<string, string> = {};
    v.forEach((value, key) => {
      entries[key] = value;
    });
    return entries;
  }
  if (typeof Request === 'function' && v instanceof Request) return { method: v.method, url: v.url, headers: v.headers };
  if (typeof Response === 'function' && v instanceof Response) {
    return { status: v.status, statusText: v.statusText, url: v.url, headers: v.headers };
  }
  return undefined;
}

/** The first `max` items of a Set (the core writes a Set as an array, marked with how many more it has). */
export function firstItems(v: ReadonlySet<unknown>, max: number): unknown[] {
  const items: unknown[] = [];
  for (const item of v) {
    if (items.length === max) break;
    items.push(item);
  }
  return items;
}
