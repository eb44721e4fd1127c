/** Adds `handler` for `type` on `target` (the page's window by default); returns the function that removes it. */
export function listen<E extends Event>(type: string, handler: (event: E) => void, target: EventTarget = globalThis): () => void {
  target.addEventListener(type, handler as EventListener);
  return () => target.removeEventListener(type, handler as EventListener);
}

/**
 * Calls `onHide` when the page is hidden or unloaded (`pagehide`, or `visibilitychange` →
 * hidden) and `onShow` when it is shown again. One close fires both hide events, in an order
 * that depends on the browser; `onHide` must therefore be idempotent, which evacuation is: it
 * takes events out of the buffer, so the second call finds nothing to send twice, while events
 * logged between a tab switch and a later close still leave at that close.
 * Returns the functions that remove the listeners.
 */
export function watchPageLifecycle(onHide: () => void, onShow: () => void): (() => void)[] {
  const doc = globalThis.document;
  return [
    listen('pagehide', onHide),
    listen('pageshow', onShow),
    listen('visibilitychange', () => (doc.visibilityState === 'hidden' ? onHide() : onShow()), doc),
  ];
}
