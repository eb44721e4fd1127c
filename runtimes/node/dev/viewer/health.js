// The delivery-health panel: what each sender says about its own delivery (accepted,
// delivered, dropped by reason, pending per sink, from POST /v1/stats) and what the collector
// received per endpoint (stored, duplicates dropped by eventId, refused by reason).
import { el } from './render.js';

function num(label, value, bad = false) {
  const cell = el('div');
  cell.append(el('b', bad && value > 0 ? 'bad' : '', String(value)), el('span', '', label));
  return cell;
}

function reasons(byReason) {
  const parts = Object.entries(byReason ?? {}).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`);
  return parts.length === 0 ? undefined : el('div', 'reasons', `dropped: ${parts.join(' · ')}`);
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

/** Renders the health snapshot from /api/health into `root`. */
export function renderHealth(root, health) {
  root.replaceChildren();
  root.append(el('h2', '', 'senders'));
  if (health.senders.length === 0) root.append(el('div', 'dim', 'No sender has reported yet (POST /v1/stats with logger.stats()).'));
  for (const sender of health.senders) {
    for (const sink of sender.sinks) {
      const card = el('div', 'card');
      card.dataset.testid = 'sender';
      const title = el('div', 'title');
      const name = el('span', '', `${sender.service} `);
      name.append(el('span', `rt ${sender.runtime}`, sender.runtime), el('span', 'dim', ` ${sink.name}`));
      title.append(name, el('span', 'when', ago(sender.reportedAt)));
      const nums = el('div', 'nums');
      nums.append(num('accepted', sink.accepted), num('delivered', sink.delivered), num('dropped', sink.dropped, true), num('pending', sink.pending));
      card.append(title, nums);
      const why = reasons(sink.droppedByReason);
      if (why) card.append(why);
      if (sink.lastError) card.append(el('div', 'reasons', `last error: ${sink.lastError}`));
      root.append(card);
    }
  }
  root.append(el('h2', '', 'collector'));
  for (const [name, endpoint] of Object.entries(health.endpoints)) {
    const card = el('div', 'card');
    card.dataset.testid = 'endpoint';
    const title = el('div', 'title');
    title.append(el('span', '', name === 'auth' ? 'auth' : `/${name === 'batch' || name === 'stats' ? `v1/${name}` : name === 'otlp' ? 'v1/logs' : name}`), el('span', 'when', `${endpoint.requests} requests`));
    const nums = el('div', 'nums');
    const refused = Object.values(endpoint.refused).reduce((a, b) => a + b, 0);
    nums.append(num('stored', endpoint.stored), num('duplicates', endpoint.duplicates), num('invalid', endpoint.invalid, true), num('refused', refused, true));
    card.append(title, nums);
    const parts = Object.entries(endpoint.refused).map(([reason, n]) => `${reason} ${n}`);
    if (parts.length > 0) card.append(el('div', 'reasons', `refused: ${parts.join(' · ')}`));
    root.append(card);
  }
  const store = el('div', 'card');
  store.append(el('div', 'title', 'store'));
  const nums = el('div', 'nums');
  nums.append(num('events', health.store.events), num('segments', health.store.segments), num('index MB', Math.round(health.store.indexBytes / 1048576)), num('live views', health.streams));
  store.append(nums);
  root.append(el('h2', '', 'store'), store);
}
