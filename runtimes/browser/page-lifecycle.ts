/**
 * Calls `onHide` when the page is hidden or unloaded (`pagehide`, or `visibilitychange` →
 * hidden) and `onShow` when it is shown again. One close fires both hide events, in an order
 * that depends on the browser; `onHide` must therefore be idempotent, which evacuation is: it
 * takes events out of the buffer, so the second call finds nothing to send twice, while events
 * logged between a tab switch and a later close still leave at that close.
 * Returns a function that removes the listeners.
 */
export function watchPageLifecycle(onHide: () => void, onShow: () => void): () => void {
  const doc = globalThis.document;
  const visibility = (): void => (doc.visibilityState === 'hidden' ? onHide() : onShow());
  addEventListener('pagehide', onHide);
  addEventListener('pageshow', onShow);
  doc.addEventListener('visibilitychange', visibility);
  return () => {
    removeEventListener('pagehide', onHide);
    removeEventListener('pageshow', onShow);
    doc.removeEventListener('visibilitychange', visibility);
  };
}
