/**
 * Every kind of event shiplog produces, encoded as OTLP/HTTP JSON, must be exactly what the
 * official opentelemetry-proto definitions describe (vendored under test/fixtures as data):
 * (1) a strict walk of the JSON against the proto reflection (camelCase field names only, hex
 * trace/span ids of the right length, 64-bit integers as decimal strings, enums as numbers,
 * at most one AnyValue member), and (2) JSON → protobuf binary → JSON gives back the same JSON.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { encodeOtlp } from '../../src/sinks/otlp.js';
import { memorySink } from '../../src/testing.js';

const PROTO_ROOT = join(import.meta.dirname, '../fixtures/opentelemetry-proto');
let Request: protobuf.Type;

beforeAll(() => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  root.resolveAll();
  Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
});

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const HEX_LENGTH: Record<string, number> = { traceId: 32, spanId: 16 };

/** Throws when `json` is not exactly the OTLP/JSON encoding of a message of `type`. */
function checkOtlpJson(type: protobuf.Type, json: unknown, path: string): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${path}: not an object`);
  const set = Object.keys(json);
  for (const oneof of type.oneofsArray) {
    const members = oneof.fieldsArray.filter((f) => set.includes(f.name));
    if (members.length > 1) throw new Error(`${path}: more than one of ${oneof.name}`);
  }
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    // protobufjs names fields in lowerCamelCase, which is also the OTLP/JSON key: snake_case fails here.
    if (field === undefined) throw new Error(`${path}.${key}: no such field in ${type.name}`);
    const at = `${path}.${key}`;
    if (field.repeated) {
      if (!Array.isArray(value)) throw new Error(`${at}: repeated field is not an array`);
      value.forEach((item, i) => checkScalarOrMessage(field, item, `${at}[${i}]`));
    } else checkScalarOrMessage(field, value, at);
  }
}

function checkScalarOrMessage(field: protobuf.Field, value: unknown, at: string): void {
  const t = field.type;
  if (field.resolvedType instanceof protobuf.Type) return checkOtlpJson(field.resolvedType, value, at);
  if (field.resolvedType instanceof protobuf.Enum) {
    if (!Number.isInteger(value) || !Object.values(field.resolvedType.values).includes(value as number)) throw new Error(`${at}: not an enum number`);
    return;
  }
  if (LONG_TYPES.has(t)) {
    if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw new Error(`${at}: ${t} must be a decimal string, got ${JSON.stringify(value)}`);
    const n = BigInt(value);
    const [lo, hi] = t.startsWith('u') || t === 'fixed64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (n < lo || n > hi) throw new Error(`${at}: ${value} overflows ${t}`);
    return;
  }
  if (t in INT_RANGE) {
    const [lo, hi] = INT_RANGE[t] as [number, number];
    if (!Number.isInteger(value) || (value as number) < lo || (value as number) > hi) throw new Error(`${at}: not a ${t}`);
    return;
  }
  if (t === 'bytes') {
    const length = HEX_LENGTH[field.name];
    if (length === undefined || typeof value !== 'string' || !new RegExp(`^[0-9a-f]{${length}}$`).test(value)) throw new Error(`${at}: not a ${length}-digit lowercase hex id`);
    return;
  }
  const ok = t === 'string' ? typeof value === 'string' : t === 'bool' ? typeof value === 'boolean' : t === 'double' || t === 'float' ? typeof value === 'number' && Number.isFinite(value) : false;
  if (!ok) throw new Error(`${at}: not a ${t}: ${JSON.stringify(value)}`);
}

/** OTLP/JSON ids are hex; protobuf bytes. Walks a JSON tree converting the id fields. */
function mapIds(value: unknown, convert: (id: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapIds(v, convert));
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'traceId' || k === 'spanId' ? convert(v) : mapIds(v, convert);
  return out;
}

/** Proto3 cannot tell an empty repeated field from a missing one: both sides drop empty arrays. */
function withoutEmptyArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyArrays);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!(Array.isArray(v) && v.length === 0)) out[k] = withoutEmptyArrays(v);
  return out;
}

function roundTrip(json: unknown): unknown {
  const message = Request.fromObject(mapIds(json, (hex) => Buffer.from(hex as string, 'hex')) as Record<string, unknown>);
  expect(Request.verify(message)).toBeNull();
  const bytes = Request.encode(message).finish();
  const decoded = Request.toObject(Request.decode(bytes), { longs: String, enums: Number, bytes: Array, arrays: false, defaults: false });
  return mapIds(decoded, (b) => Buffer.from(b as number[]).toString('hex'));
}

/** Logs one of every kind of event shiplog writes. */
async function everyKindOfEvent(): Promise<ReturnType<typeof memorySink>['events']> {
  const sink = memorySink();
  const log = createLogger({ vars: {}, level: 'trace', service: 'checkout', env: 'prod', version: '2.0.0', sinks: [sink], limits: { maxStringLength: 50 } });
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) log[level](`${level} message`);
  log.info({ onlyFields: true, n: 1 });
  log.info('numbers', { int: 42, neg: -7, zero: 0, frac: 0.25, big: 1e21, over: 1e19, max: Number.MAX_SAFE_INTEGER, min: Number.MIN_SAFE_INTEGER, tiny: 5e-324 });
  log.info('values', { nil: null, undef: undefined, str: 'ünïcødé ✓ \u0000', bool: true, arr: [1, 'a', null, [2]], nested: { a: { b: { c: [] } } }, empty: {} });
  log.info('odd numbers', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0 });
  log.info('user ids', { traceId: 'not-hex', spanId: 'xyz' });
  log.info('user hex ids', { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: '0123456789ABCDEF' });
  log.info('zero ids', { traceId: '0'.repeat(32), spanId: '0'.repeat(16) });
  log.info('user eventId', { eventId: 'mine' });
  log.info('long', { s: 'x'.repeat(500) });
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  log.info('circular', { circular });
  log.info('secrets', { password: 'hunter2', headers: { authorization: 'Bearer x' } });
  const cause = Object.assign(new RangeError('inner'), { code: 'E_INNER' });
  log.error(Object.assign(new Error('outer', { cause }), { code: 42, detail: { retry: false } }), 'with cause');
  log.error('msg then error', new TypeError('second form'));
  log.warn(new AggregateError([new Error('a'), new Error('b')], 'many'));
  log.info('bigint and more', { big: 10n, date: new Date(0), url: new URL('https://x.test/p?token=1'), fn: () => 1, sym: Symbol('s'), map: new Map([[1, 2]]) });
  const child = log.child({ component: 'db', service: 'spoofed' });
  child.debug('child');
  const req = log.request({ method: 'post', url: 'https://api.test/orders/7?x=1', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }, { tenant: 't1' });
  req.info('inside request');
  req.set({ user: { id: 7, plan: 'pro' }, cart: { items: 3, total: 99.5 } });
  req.emit({ status: 201 });
  const failed = log.request({ method: 'GET', url: '/fail', headers: { 'x-request-id': 'r-1' } });
  failed.emit({ status: 503, error: new Error('upstream') });
  const plain = log.request({ method: 'GET', url: '/no-trace' });
  plain.emit();
  await log.flush();
  return sink.events;
}

describe('OTLP/JSON against the official protobuf definitions', () => {
  it('every kind of event is exact OTLP/JSON and round-trips JSON -> protobuf -> JSON unchanged', async () => {
    const events = await everyKindOfEvent();
    expect(events).toHaveLength(26);
    const json: unknown = JSON.parse(encodeOtlp(events, { base: { 'host.name': 'h1' } }));
    checkOtlpJson(Request, json, 'request');
    expect(roundTrip(json)).toEqual(withoutEmptyArrays(json));
    // One request per event too: a collector rejects a whole request for one bad record.
    for (const event of events) {
      const single: unknown = JSON.parse(encodeOtlp([event]));
      checkOtlpJson(Request, single, event.line.slice(0, 60));
      expect(roundTrip(single)).toEqual(withoutEmptyArrays(single));
    }
  });

  it('the checker fails on what a collector rejects', () => {
    const record = (extra: Record<string, unknown>) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', ...extra }] }] }] });
    expect(() => checkOtlpJson(Request, record({ attributes: [{ key: 'n', value: { intValue: '1e+21' } }] }), 'r')).toThrow(/decimal string/);
    expect(() => checkOtlpJson(Request, record({ attributes: [{ key: 'n', value: { intValue: '10000000000000000000' } }] }), 'r')).toThrow(/overflows/);
    expect(() => checkOtlpJson(Request, record({ traceId: 'not-hex' }), 'r')).toThrow(/hex/);
    expect(() => checkOtlpJson(Request, record({ time_unix_nano: '1' }), 'r')).toThrow(/no such field/);
    expect(() => checkOtlpJson(Request, record({ severityNumber: 'INFO' }), 'r')).toThrow(/enum/);
    expect(() => checkOtlpJson(Request, record({ body: { stringValue: 'a', intValue: '1' } }), 'r')).toThrow(/more than one/);
  });
});
