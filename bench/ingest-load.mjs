// Ingest fairness under load (issue 12): one heavy client sends the largest batches the
// default limits let through, as fast as its request budget allows, while five light clients
// each send a small batch every 100 ms; reports the light clients' latency (median and max).
// Bounded: 6 s of load, at most 2000 requests. Loopback only (node:http on 127.0.0.1).
// Run: `npm run build && node bench/ingest-load.mjs [distDir]` (distDir defaults to dist/).
import http from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const { createLogger } = await import(pathToFileURL(join(dist, 'index.js')).href);
const { createIngestHandler } = await import(pathToFileURL(join(dist, 'ingest.js')).href);

const DURATION_MS = 6000;
const MAX_REQUESTS = 2000;
let written = 0;
const logger = createLogger({ sinks: [{ name: 'count', write: (batch) => void (written += batch.length), writeSync: (batch) => void (written += batch.length) }], vars: {} });
const handler = createIngestHandler({ logger });

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
  const response = await handler(request, { clientAddress: req.headers['x-client'] });
  res.writeHead(response.status);
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/ingest`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });

let requests = 0;
function send(client, body) {
  requests++;
  return new Promise((resolveSend) => {
    const started = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-client': client } }, (res) => {
      res.resume();
      res.on('end', () => resolveSend({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', () => resolveSend({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

// ~767 KB: 1000 events of ~767 bytes (the old defaults' largest accepted batch).
const HEAVY_EVENTS = Number(process.env.HEAVY_EVENTS ?? 1000); // 300: ~230 KB, within the new defaults (256 KB, 500 events)
const heavyBody = JSON.stringify(Array.from({ length: HEAVY_EVENTS }, (_, i) => ({ level: 'info', msg: `heavy ${i}`, pad: 'x'.repeat(730) })));
const lightBody = JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ level: 'info', msg: `light ${i}` })));
const end = performance.now() + DURATION_MS;
const heavyStatuses = {};
const light = [];

async function heavy() {
  // 5 requests/s: within the old default request rate (burst 30, 5/s).
  while (performance.now() < end && requests < MAX_REQUESTS) {
    const tick = performance.now();
    void send('heavy', heavyBody).then(({ status }) => (heavyStatuses[status] = (heavyStatuses[status] ?? 0) + 1));
    await new Promise((r) => setTimeout(r, Math.max(0, 200 - (performance.now() - tick))));
  }
}
async function lightClient(n) {
  while (performance.now() < end && requests < MAX_REQUESTS) {
    const { status, ms } = await send(`light-${n}`, lightBody);
    light.push({ status, ms });
    await new Promise((r) => setTimeout(r, 100));
  }
}
await Promise.all([heavy(), ...Array.from({ length: 5 }, (_, n) => lightClient(n))]);
await new Promise((r) => setTimeout(r, 500));
const times = light.map((l) => l.ms).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    dist,
    lightRequests: light.length,
    lightStatuses: light.reduce((m, l) => ((m[l.status] = (m[l.status] ?? 0) + 1), m), {}),
    lightMedianMs: Number(median.toFixed(1)),
    lightP95Ms: Number(times[Math.floor(times.length * 0.95)].toFixed(1)),
    lightMaxMs: Number(times.at(-1).toFixed(1)),
    heavyStatuses,
    eventsWritten: written,
  }),
);
agent.destroy();
server.close();
