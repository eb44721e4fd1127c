// Issue 12: default redaction by pattern on normalized keys, rawHeaders pairs, case-insensitive
// paths, and secrets inside URL-shaped strings and URL objects. Every key below leaked before.
import { describe, expect, it } from 'vitest';
import { createLogger, Serializer } from '../../src/index.js';
import { normalizeKey } from '../../src/redact.js';
import { memorySink } from '../../src/testing.js';

const SECRET = 'S3CR3T';
const s = new Serializer();
const written = (value: unknown, serializer = s): string => serializer.stringify(value);

// The issue's list, then every field LogTape's DEFAULT_REDACT_FIELDS matches (its patterns:
// pass(code|phrase|word), secret, token, key, credential, auth, signature, sensitive, private,
// ssn, email, phone, address), spelled as apps spell them.
const ISSUE_KEYS = [
  'userPassword', 'db_password', 'passwordHash', 'authToken', 'auth_token', 'csrfToken', 'x-csrf-token',
  'secretKey', 'awsSecretAccessKey', 'credentials', 'sessionToken', 'connect.sid', 'x-amz-security-token',
  'x-access-token', 'apiToken', 'signature', 'passphrase', 'ssn', 'cvv', 'cardNumber', 'otp',
];
const LOGTAPE_KEYS = [
  'passcode', 'PASSWORD', 'secret', 'client_secret', 'token', 'key', 'apiKey', 'publicKey', 'credential',
  'auth', 'authorization', 'oauth', 'signature', 'sensitiveData', 'privateNote', 'ssn', 'user_ssn',
  'email', 'emailAddress', 'phone', 'phoneNumber', 'address', 'ipAddress', 'Cookie', 'set-cookie',
  'sessionId', 'PHPSESSID', 'JSESSIONID',
];

describe('default sensitive keys', () => {
  it.each([...ISSUE_KEYS, ...LOGTAPE_KEYS])('%s is redacted', (key) => {
    const text = written({ [key]: SECRET, nested: [{ [key]: { deep: SECRET } }] });
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)[key]).toBe('[REDACTED]');
  });

  it('lookalike letters, fullwidth forms and invisible characters do not hide a key', () => {
    const disguised = [
      'p\u0430ssword', // Cyrillic а
      'ΡΑSSWORD', // Greek capitals Ρ Α
      'ｐａｓｓｗｏｒｄ', // fullwidth
      'pass\u200bword', // zero-width space
      'pass\u00adword', // soft hyphen
      'to\u200dken',
      'аuthТoken', // Cyrillic а and Т
      'api\ufe0fKey',
    ];
    for (const key of disguised) expect(written({ [key]: SECRET }), key).not.toContain(SECRET);
    expect(normalizeKey('X-CSRF_Token')).toBe('xcsrftoken');
  });

  it('every Cyrillic and Greek lookalike is read as its Latin letter, in either case', () => {
    // ϲ (lunate sigma) becomes ς under NFKC, applied first; both read as c.
    const lookalikes = 'авеёкмнорстухѕіїјԁһԛԝαβεηικνορτυχωϲςϳζ';
    expect(normalizeKey(lookalikes)).toBe('abeekmhopctyxsiijdhqwabenikvoptuxwccjz');
    // Upper case: ς's capital is Σ, which is no lookalike of C (and lower-cases to σ).
    const withCapitals = lookalikes.replace('ϲς', '');
    expect(normalizeKey(`x${withCapitals.toUpperCase()}`)).toBe('xabeekmhopctyxsiijdhqwabenikvoptuxwjz');
    expect(written({ ϲookie: SECRET, ςookie: SECRET })).not.toContain(SECRET);
  });

  it("the browser runtime's `session` correlation id is not a credential", () => {
    expect(JSON.parse(written({ session: 'abc' }))).toEqual({ session: 'abc' });
  });

  it('short words match whole, not inside other words', () => {
    expect(JSON.parse(written({ otp: SECRET, footprint: 1, pin: SECRET, spinner: 2, 'connect.sid': SECRET, side: 3 }))).toEqual({
      otp: '[REDACTED]',
      footprint: 1,
      pin: '[REDACTED]',
      spinner: 2,
      'connect.sid': '[REDACTED]',
      side: 3,
    });
  });

  it("Node's rawHeaders pairs are censored by header name", () => {
    const rawHeaders = ['Host', 'x.example', 'Authorization', `Bearer ${SECRET}`, 'Cookie', `sid=${SECRET}`, 'X-Trace', 't1'];
    const out = JSON.parse(written({ req: { rawHeaders } })) as { req: { rawHeaders: string[] } };
    expect(out.req.rawHeaders).toEqual(['Host', 'x.example', 'Authorization', '[REDACTED]', 'Cookie', '[REDACTED]', 'X-Trace', 't1']);
  });

  it('paths match case-insensitively', () => {
    const custom = new Serializer({ redact: { paths: ['user.ssnNumber', 'Card.*'], defaultKeys: false } });
    expect(JSON.parse(written({ user: { SSNNUMBER: SECRET, ssnnumber: SECRET, name: 'n' }, card: { no: SECRET } }, custom))).toEqual({
      user: { SSNNUMBER: '[REDACTED]', ssnnumber: '[REDACTED]', name: 'n' },
      card: { no: '[REDACTED]' },
    });
  });

  it('widen with keys and patterns, narrow with allow or defaultKeys: false', () => {
    const custom = new Serializer({ redact: { keys: ['dob'], patterns: ['iban', /^internal/], allow: ['primaryKey', 'author'] } });
    expect(
      JSON.parse(written({ DOB: SECRET, payeeIban: SECRET, internal_note: SECRET, primaryKey: 7, author: 'a', authToken: SECRET }, custom)),
    ).toEqual({ DOB: '[REDACTED]', payeeIban: '[REDACTED]', internal_note: '[REDACTED]', primaryKey: 7, author: 'a', authToken: '[REDACTED]' });
    expect(JSON.parse(written({ token: 't' }, new Serializer({ redact: { defaultKeys: false } })))).toEqual({ token: 't' });
  });

  it('options are validated by createLogger', () => {
    expect(() => createLogger({ sinks: [memorySink()], vars: {}, redact: { patterns: [1 as never] } })).toThrow(/redact\.patterns/);
    expect(() => createLogger({ sinks: [memorySink()], vars: {}, redact: { allow: 'x' as never } })).toThrow(/redact\.allow/);
  });
});

describe('secrets inside URLs', () => {
  const cases: [string, string][] = [
    [`https://u:${SECRET}@x.example/`, 'https://[REDACTED]@x.example/'],
    [`see https://x.example/cb?access_token=${SECRET}&page=2 now`, 'see https://x.example/cb?access_token=[REDACTED]&page=2 now'],
    [`https://b.s3.amazonaws.com/k?X-Amz-Signature=${SECRET}&X-Amz-Credential=${SECRET}&X-Amz-Date=1`, 'https://b.s3.amazonaws.com/k?X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&X-Amz-Date=1'],
    [`/callback?code=${SECRET}&state=s`, '/callback?code=[REDACTED]&state=s'],
    [`https://app.example/#/cb?access_token=${SECRET}&x=1`, 'https://app.example/#/cb?access_token=[REDACTED]&x=1'],
    [`https://x.example/?key=${SECRET}&api_key=${SECRET}&sig=${SECRET}&password=${SECRET}&client_secret=${SECRET}&id_token=${SECRET}&refresh_token=${SECRET}`,
      'https://x.example/?key=[REDACTED]&api_key=[REDACTED]&sig=[REDACTED]&password=[REDACTED]&client_secret=[REDACTED]&id_token=[REDACTED]&refresh_token=[REDACTED]'],
    ['https://example.com/a?b=1#top', 'https://example.com/a?b=1#top'],
    ['plain text: a = b ? c', 'plain text: a = b ? c'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(JSON.parse(written(input))).toBe(expected);
    expect(JSON.parse(written({ note: input })).note).toBe(expected);
  });

  it('the message is censored too, and URL objects the same way', () => {
    const mem = memorySink();
    const log = createLogger({ sinks: [mem], vars: {} });
    log.info(`fetching https://x.example/?token=${SECRET}`, { url: new URL(`https://x.example/p?X-Amz-Signature=${SECRET}#/cb?access_token=${SECRET}`) });
    log.flushSync();
    expect(mem.events[0]!.line).not.toContain(SECRET);
    const out = mem.records()[0]!;
    expect(out.url).toBe('https://x.example/p?X-Amz-Signature=[REDACTED]#/cb?access_token=[REDACTED]');
  });

  it('urls: false turns the string scan off; urlParams adds names', () => {
    expect(JSON.parse(written(`/x?token=${SECRET}`, new Serializer({ redact: { urls: false } })))).toBe(`/x?token=${SECRET}`);
    expect(JSON.parse(written('/x?trackingId=1', new Serializer({ redact: { urlParams: ['tracking_id'] } })))).toBe('/x?trackingId=[REDACTED]');
  });
});
