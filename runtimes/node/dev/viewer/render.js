// Rendering of events: one row each (time, level, runtime, service, message, status, duration,
// request), expanding to every field. Values are set with textContent only: events come from
// anyone who can reach the collector, so nothing of theirs is ever parsed as HTML.

const MAX_DEPTH = 12;

/** Creates an element with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

function timeText(value) {
  const date = new Date(typeof value === 'string' ? value : Number.NaN);
  if (Number.isNaN(date.getTime())) return '—';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * The id that ties an event to others: its traceId (shared across services and runtimes, e.g.
 * a Lambda invocation with its own request id), else its requestId.
 */
export function correlationOf(event) {
  if (typeof event.traceId === 'string' && event.traceId !== '') return { field: 'traceId', id: event.traceId };
  if (typeof event.requestId === 'string' && event.requestId !== '') return { field: 'requestId', id: event.requestId };
  return undefined;
}

function valueNode(value, depth) {
  if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) return fieldsNode(value, depth + 1);
  if (typeof value === 'string') return el('span', 'v str', value);
  if (typeof value === 'number') return el('span', 'v num', String(value));
  if (typeof value === 'boolean') return el('span', 'v bool', String(value));
  if (value === null) return el('span', 'v null', 'null');
  return el('span', 'v', JSON.stringify(value) ?? String(value));
}

/** A key/value grid of an object's fields (nested objects indent under their key). */
export function fieldsNode(object, depth = 0) {
  const grid = el('div', 'kv');
  for (const [key, value] of Object.entries(object)) {
    if (depth === 0 && key === '_seq') continue;
    grid.append(el('span', 'k', key));
    if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
      grid.append(el('span', 'v', Array.isArray(value) ? `[${value.length}]` : '{…}'));
      grid.append(fieldsNode(value, depth + 1));
    } else {
      const node = valueNode(value, depth);
      if (key === 'stack') node.classList.add('stack');
      grid.append(node);
    }
  }
  return grid;
}

/**
 * One event's row. `onCorrelate(field, id)` is called when its request link is clicked.
 */
export function eventRow(event, onCorrelate) {
  const level = typeof event.level === 'string' ? event.level : 'info';
  const item = el('div', `event ${level}`);
  item.dataset.testid = 'event';
  if (typeof event.eventId === 'string') item.dataset.eventId = event.eventId;
  const row = el('div', 'row-grid');
  row.append(el('span', 'time', timeText(event.time)));
  const lvl = el('span');
  lvl.append(el('span', `lvl ${level}`, level));
  row.append(lvl);
  const rt = el('span');
  if (typeof event.runtime === 'string') rt.append(el('span', `rt ${event.runtime}`, event.runtime));
  row.append(rt);
  row.append(el('span', 'service', typeof event.service === 'string' ? event.service : ''));
  const msg = el('span', 'msg', typeof event.msg === 'string' ? event.msg : '');
  const route = event.route ?? event.path;
  if (typeof route === 'string' && !(typeof event.msg === 'string' && event.msg.includes(route))) msg.append(el('span', 'route', route));
  if (typeof event.error === 'object' && event.error !== null && typeof event.error.message === 'string' && !String(event.msg ?? '').includes(event.error.message)) msg.append(el('span', 'route', `${event.error.name ?? 'Error'}: ${event.error.message}`));
  row.append(msg);
  const status = typeof event.status === 'number' ? event.status : undefined;
  row.append(el('span', `right status s${status === undefined ? '' : String(status)[0]}`, status === undefined ? '' : String(status)));
  row.append(el('span', 'right dur', typeof event.durationMs === 'number' ? event.durationMs.toFixed(event.durationMs < 10 ? 1 : 0) : ''));
  const req = el('span', 'req');
  const correlation = correlationOf(event);
  if (correlation !== undefined) {
    const link = el('a', '', correlation.id.slice(0, 8));
    link.title = `every event of ${correlation.field} ${correlation.id}`;
    link.dataset.testid = 'correlate';
    link.addEventListener('click', (click) => {
      click.stopPropagation();
      onCorrelate(correlation.field, correlation.id);
    });
    req.append(link);
  }
  row.append(req);
  item.append(row);
  row.addEventListener('click', () => toggle(item, event, onCorrelate));
  return item;
}

function toggle(item, event, onCorrelate) {
  const open = item.querySelector(':scope > .fields');
  if (open) {
    open.remove();
    item.classList.remove('open');
    return;
  }
  item.classList.add('open');
  const panel = el('div', 'fields');
  panel.dataset.testid = 'fields';
  const actions = el('div', 'actions');
  for (const field of ['requestId', 'traceId']) {
    if (typeof event[field] !== 'string') continue;
    const button = el('button', 'ghost', `all events of this ${field === 'requestId' ? 'request' : 'trace'}`);
    button.type = 'button';
    button.addEventListener('click', () => onCorrelate(field, event[field]));
    actions.append(button);
  }
  const rawButton = el('button', 'ghost', 'raw JSON');
  rawButton.type = 'button';
  const { _seq, ...clean } = event;
  const body = fieldsNode(clean);
  rawButton.addEventListener('click', () => body.replaceWith(el('pre', 'raw', JSON.stringify(clean, null, 2))));
  actions.append(rawButton);
  panel.append(actions, body);
  item.append(panel);
}
