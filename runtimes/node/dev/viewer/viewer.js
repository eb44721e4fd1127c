// The shiplog dev viewer: a page of the newest matching events from /api/events, then a live
// tail of new ones over server-sent events (/api/stream) with the same filters, and the
// delivery-health panel from /api/health. Plain ES modules, no build step.
import { eventRow } from './render.js';
import { renderHealth } from './health.js';

const MAX_ROWS = 1000;
const token = new URLSearchParams(location.search).get('token');
const form = document.getElementById('filters');
const rows = document.getElementById('rows');
const more = document.getElementById('more');
const empty = document.getElementById('empty');
const liveButton = document.getElementById('live');
const correlation = document.getElementById('correlation');
let stream;
let next;
let live = true;
let generation = 0;

/** An API URL with the current filters (and the token, when the collector needs one). */
function api(path, extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value !== '') params.set(key, String(value));
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, String(value));
  if (token) params.set('token', token);
  return `${path}?${params}`;
}

function correlate(field, id) {
  form.elements.q.value = `${field}=${id}`;
  for (const name of ['level', 'runtime', 'service', 'route', 'status', 'since']) form.elements[name].value = '';
  refresh();
}

function showCorrelation() {
  const match = /^(requestId|traceId)=(\S+)$/.exec(form.elements.q.value.trim());
  correlation.hidden = match === null;
  if (match) correlation.querySelector('.what').textContent = `every event of ${match[1] === 'requestId' ? 'request' : 'trace'} ${match[2]}`;
}

function updateEmpty() {
  empty.hidden = rows.childElementCount > 0;
}

async function loadPage(before) {
  const mine = generation;
  const response = await fetch(api('/api/events', { limit: 200, before }));
  if (!response.ok || mine !== generation) return;
  const page = await response.json();
  if (mine !== generation) return;
  for (const event of page.events) rows.append(eventRow(event, correlate));
  next = page.next;
  more.hidden = next === undefined;
  more.querySelector('button').textContent = page.partial ? 'keep searching older events' : 'load older events';
  updateEmpty();
  // A rare term over many events: the server stops at its time budget; keep going until a page fills.
  if (page.partial && page.events.length < 50 && rows.childElementCount < 50) void loadPage(next);
}

function openStream() {
  stream?.close();
  delete document.body.dataset.live;
  if (!live) return;
  const source = new EventSource(api('/api/stream'));
  stream = source;
  // Marks which filter the open tail serves (tests wait on it before sending a live event).
  source.onopen = () => {
    if (stream === source) document.body.dataset.live = source.url;
  };
  stream.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    const row = eventRow(event, correlate);
    row.classList.add('fresh');
    rows.prepend(row);
    while (rows.childElementCount > MAX_ROWS) rows.lastElementChild.remove();
    updateEmpty();
  };
}

/** Reloads the list for the current filters and reopens the live tail. */
function refresh() {
  generation++;
  rows.replaceChildren();
  next = undefined;
  showCorrelation();
  openStream();
  void loadPage();
}

function fillSelect(select, values) {
  const current = select.value;
  const known = new Set([...select.options].map((o) => o.value));
  for (const value of values) if (!known.has(value)) select.append(new Option(value, value));
  select.value = current;
}

async function poll() {
  try {
    const [facets, health] = await Promise.all([fetch(api('/api/facets')).then((r) => r.json()), fetch(api('/api/health')).then((r) => r.json())]);
    fillSelect(form.elements.runtime, facets.runtimes);
    fillSelect(form.elements.service, facets.services);
    fillSelect(form.elements.route, facets.routes);
    renderHealth(document.getElementById('health'), health);
    const dropped = health.senders.reduce((sum, s) => sum + s.sinks.reduce((n, sink) => n + sink.dropped, 0), 0);
    document.getElementById('summary').textContent = `${health.store.events.toLocaleString()} events stored · ${health.senders.length} senders reporting · ${dropped} dropped`;
  } catch {
    document.getElementById('summary').textContent = 'collector unreachable';
  }
}

let typing;
form.addEventListener('input', (input) => {
  clearTimeout(typing);
  typing = setTimeout(refresh, input.target.name === 'q' ? 250 : 0);
});
form.addEventListener('submit', (submit) => {
  submit.preventDefault();
  refresh();
});
document.getElementById('clear').addEventListener('click', () => {
  form.reset();
  refresh();
});
correlation.querySelector('button').addEventListener('click', () => {
  form.elements.q.value = '';
  refresh();
});
more.querySelector('button').addEventListener('click', () => void loadPage(next));
liveButton.addEventListener('click', () => {
  live = !live;
  liveButton.classList.toggle('on', live);
  liveButton.querySelector('.label').textContent = live ? 'live' : 'paused';
  if (live) refresh();
  else stream?.close();
});
document.getElementById('toggle-health').addEventListener('click', () => document.body.classList.toggle('no-health'));

const initial = new URLSearchParams(location.search);
for (const name of ['q', 'level', 'runtime', 'service', 'route', 'status', 'since']) {
  const value = initial.get(name);
  if (value !== null && form.elements[name]) {
    if (form.elements[name].tagName === 'SELECT' && ![...form.elements[name].options].some((o) => o.value === value)) form.elements[name].append(new Option(value, value));
    form.elements[name].value = value;
  }
}
refresh();
void poll();
setInterval(poll, 2000);
