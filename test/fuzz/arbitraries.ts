import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FuzzRequest } from './httpClient';

/** Values the generated requests use to reach real objects of the bot under test. */
export interface FuzzTargets {
  /** serviceUrl of generated activities (a connector that records replies). */
  serviceUrl: string;
  /** A Direct Line conversation the storm may use (never the live chat's). */
  conversationId: string;
  /** Its token. */
  token: string;
}

type Route = readonly [method: string, path: (id: string, id2: string) => string];

/** Every route the bot serves (with the demo on), as method and path template. */
const ROUTES: readonly Route[] = [
  ['POST', () => '/api/messages'],
  ['GET', () => '/healthz'],
  ['POST', () => '/v3/directline/tokens/generate'],
  ['POST', () => '/v3/directline/tokens/refresh'],
  ['POST', () => '/v3/directline/conversations'],
  ['GET', (id) => `/v3/directline/conversations/${id}`],
  ['POST', (id) => `/v3/directline/conversations/${id}/activities`],
  ['GET', (id) => `/v3/directline/conversations/${id}/activities`],
  ['POST', (id) => `/v3/directline/conversations/${id}/upload`],
  ['POST', (id) => `/demo/connector/v3/conversations/${id}/activities`],
  ['POST', (id, id2) => `/demo/connector/v3/conversations/${id}/activities/${id2}`],
  ['GET', () => '/demo/api/conversations'],
  ['GET', (id) => `/demo/api/conversations/${id}`],
  ['POST', (id) => `/demo/api/conversations/${id}/accept`],
  ['POST', (id) => `/demo/api/conversations/${id}/typing`],
  ['POST', (id) => `/demo/api/conversations/${id}/messages`],
  ['POST', (id) => `/demo/api/conversations/${id}/end`],
  ['GET', () => '/demo/api/events'],
  ['GET', () => '/demo/'],
  ['GET', () => '/demo/agent'],
  ['GET', (id) => `/${id}`],
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

const urlSafe = fc.string({
  unit: fc.constantFrom(...'abcxyzABC0189-._~:@!$&()*+,;='.split(''), '%41', '%2F', '%00', '%E2%82%AC', '%ZZ', '%'),
  maxLength: 24,
});

/** A path id: the suite's Direct Line conversation, a pool id, or generated text (percent escapes included). */
function idArb(targets: FuzzTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(targets.conversationId), weight: 3 },
    { arbitrary: fc.constantFrom('fuzz-a', 'fuzz-b', 'nope'), weight: 1 },
    { arbitrary: urlSafe, weight: 2 },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset="UTF-8"',
  'application/vnd.custom+json',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ';;;',
  'application/json; charset',
] as const;

const ENCODINGS = [
  'gzip',
  'x-gzip',
  'deflate',
  'br',
  'identity',
  'gzip, br',
  'br, gzip',
  'zstd',
  'compress',
  'gzip, gzip, gzip',
  ',',
] as const;

const headerName = fc.stringMatching(/^X-[A-Za-z0-9-]{1,30}$/);
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 200,
});

const json = fc.jsonValue({ maxDepth: 4 });
const text = fc.oneof(
  fc.constantFrom('help', 'how long does delivery take?', 'talk to an agent', 'end chat', 'cancel', ''),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
);

/** A field value: usually well-typed, sometimes any JSON value, sometimes absent. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: valid, weight: 16 },
    { arbitrary: json, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const account = fc.record(
  {
    id: fc.oneof(fc.constantFrom('user-1', 'bot'), fc.string({ maxLength: 20 })),
    name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  },
  { requiredKeys: ['id'] },
);

/** A Bot Framework activity for `/api/messages`, every field the bot reads possibly of the wrong type. */
function activityArb(targets: FuzzTargets): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    type: field(
      fc.constantFrom(
        'message',
        'conversationUpdate',
        'typing',
        'event',
        'endOfConversation',
        'invoke',
        'messageReaction',
        'installationUpdate',
        'unknownType',
      ),
    ),
    id: field(fc.string({ maxLength: 20 })),
    channelId: field(fc.constantFrom('emulator', 'directline', 'msteams', 'webchat')),
    serviceUrl: field(fc.constant(targets.serviceUrl)),
    conversation: field(fc.record({ id: fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c') })),
    from: field(account),
    recipient: field(account),
    text: field(text),
    timestamp: field(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
    locale: field(fc.constantFrom('en-US', 'de-DE')),
    attachments: field(
      fc.array(
        field(
          fc.record({
            contentType: fc.constantFrom('image/png', 'text/plain'),
            contentUrl: fc.webUrl(),
            name: fc.string({ maxLength: 10 }),
          }),
        ),
        { maxLength: 3 },
      ),
    ),
    entities: field(
      fc.array(field(fc.record({ type: fc.constantFrom('mention', 'ClientCapabilities') })), { maxLength: 3 }),
    ),
    membersAdded: field(fc.array(field(account), { maxLength: 3 })),
    membersRemoved: field(fc.array(field(account), { maxLength: 3 })),
    value: json,
    channelData: field(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 })),
    name: field(fc.string({ maxLength: 20 })),
    replyToId: field(fc.string({ maxLength: 20 })),
    deliveryMode: field(fc.constantFrom('normal', 'expectReplies')),
  });
}

/** A Direct Line client activity or an agent console body, possibly of the wrong shape. */
const clientActivityArb = fc.record({
  type: field(fc.constantFrom('message', 'typing', 'event')),
  text: field(text),
  name: field(fc.string({ maxLength: 20 })),
  value: json,
  from: field(account),
  channelData: field(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 })),
  entities: field(fc.array(field(fc.record({ type: fc.constant('ClientCapabilities') })), { maxLength: 2 })),
  localTimestamp: field(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
  nickname: field(fc.string({ maxLength: 50 })),
  user: field(account),
});

function bodyArb(targets: FuzzTargets): fc.Arbitrary<Buffer> {
  const jsonText = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> =>
    arb.map((v) => Buffer.from(JSON.stringify(v), 'utf8'));
  return fc.oneof(
    { arbitrary: jsonText(activityArb(targets)), weight: 6 },
    { arbitrary: jsonText(clientActivityArb), weight: 4 },
    { arbitrary: jsonText(fc.jsonValue({ maxDepth: 5 })), weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), weight: 2 },
    { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
    {
      arbitrary: fc
        .integer({ min: 1, max: 400 })
        .map((n) => Buffer.from(`{"type":"message","value":${'['.repeat(n)}${']'.repeat(n)}}`)),
      weight: 1,
    },
    { arbitrary: fc.integer({ min: 250_000, max: 300_000 }).map((n) => Buffer.alloc(n, 0x20)), weight: 1 },
  );
}

/** How a body is put under its Content-Encoding: properly, not at all, cut short, or replaced by garbage. */
const ENCODING_STYLES = ['proper', 'proper', 'plain', 'truncated', 'garbage'] as const;

function encode(
  body: Buffer,
  encoding: string | undefined,
  style: (typeof ENCODING_STYLES)[number],
  garbage: Uint8Array,
): Buffer {
  if (encoding === undefined || style === 'plain') return body;
  if (style === 'garbage') return Buffer.from(garbage);
  let encoded = body;
  for (const coding of encoding.split(',').map((c) => c.trim())) {
    if (coding === 'gzip' || coding === 'x-gzip') encoded = gzipSync(encoded);
    else if (coding === 'deflate') encoded = encoded.length % 2 === 0 ? deflateSync(encoded) : deflateRawSync(encoded);
    else if (coding === 'br') encoded = brotliCompressSync(encoded);
  }
  return style === 'truncated' ? encoded.subarray(0, Math.floor(encoded.length / 2)) : encoded;
}

/** Requests to every route: methods, paths, headers, bodies and encodings generated at random. */
export function fuzzRequestArb(targets: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.oneof(
        { arbitrary: fc.constant(ROUTES[0] as Route), weight: 6 },
        { arbitrary: fc.constant(ROUTES[6] as Route), weight: 3 },
        { arbitrary: fc.constantFrom(...ROUTES), weight: 10 },
      ),
      otherMethod: fc.option(fc.constantFrom(...METHODS), { nil: undefined, freq: 8 }),
      id: idArb(targets),
      id2: idArb(targets),
      contentType: fc.oneof(
        { arbitrary: fc.constant('application/json'), weight: 10 },
        { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 3 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      ),
      encoding: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 5 },
        { arbitrary: fc.constantFrom(...ENCODINGS), weight: 2 },
      ),
      style: fc.constantFrom(...ENCODING_STYLES),
      garbage: fc.uint8Array({ maxLength: 64 }),
      authorization: fc.oneof(
        fc.constant(undefined),
        fc.constant(`Bearer ${targets.token}`),
        printable.map((t) => `Bearer ${t}`),
        printable,
      ),
      extra: fc.array(fc.tuple(headerName, printable), { maxLength: 4 }),
      bigHeader: fc.option(fc.integer({ min: 1000, max: 12_000 }), { nil: undefined, freq: 10 }),
      body: bodyArb(targets),
    })
    .map((r): FuzzRequest => {
      const [method, path] = r.route;
      const headers: [string, string][] = [];
      if (r.contentType !== undefined) headers.push(['Content-Type', r.contentType]);
      if (r.encoding !== undefined) headers.push(['Content-Encoding', r.encoding]);
      if (r.authorization !== undefined) headers.push(['Authorization', r.authorization]);
      headers.push(...r.extra);
      if (r.bigHeader !== undefined) headers.push(['X-Big', 'b'.repeat(r.bigHeader)]);
      return {
        method: r.otherMethod ?? method,
        path: path(r.id, r.id2),
        headers,
        body: encode(r.body, r.encoding, r.style, r.garbage),
      };
    });
}
