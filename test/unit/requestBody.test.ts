import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeBody, parseJson, RequestBodyError } from '../../src/http/requestBody';

const limits = { maxBytes: 1024 };

async function refusal(promise: Promise<unknown>): Promise<RequestBodyError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RequestBodyError) return err;
    throw err;
  }
  throw new Error('expected a RequestBodyError');
}

function parseRefusal(run: () => unknown): RequestBodyError {
  try {
    run();
  } catch (err) {
    if (err instanceof RequestBodyError) return err;
    throw err;
  }
  throw new Error('expected a RequestBodyError');
}

describe('decodeBody', () => {
  const body = Buffer.from('{"type":"message"}');

  it.each([
    ['gzip', gzipSync(body)],
    ['x-gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['deflate', deflateRawSync(body)],
    ['br', brotliCompressSync(body)],
    ['identity', body],
    ['br, gzip', gzipSync(brotliCompressSync(body))],
    [' GZIP ', gzipSync(body)],
  ])('decodes %s', async (encoding, encoded) => {
    expect((await decodeBody(encoded, encoding, limits)).toString()).toBe(body.toString());
  });

  it.each([
    ['gzip', body, 'plain JSON under a gzip header'],
    ['gzip', gzipSync(body).subarray(0, 10), 'a truncated gzip stream'],
    ['deflate', Buffer.from([0xff, 0x00, 0x12]), 'garbage under deflate'],
    ['br', brotliCompressSync(Buffer.alloc(500, 0x61)).subarray(0, 6), 'a truncated brotli stream'],
  ])('answers 400 to %s (%#: %s)', async (encoding, encoded) => {
    const err = await refusal(decodeBody(encoded, encoding, limits));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'invalidContentEncoding' });
  });

  it.each([['zstd'], ['compress'], ['gzip, gzip, gzip'], ['__proto__'], ['toString']])(
    'answers 415 to Content-Encoding %s',
    async (encoding) => {
      const err = await refusal(decodeBody(body, encoding, limits));
      expect(err.status).toBe(415);
    },
  );

  it('stops a compression bomb at the limit with 413', async () => {
    const err = await refusal(decodeBody(gzipSync(Buffer.alloc(1_000_000)), 'gzip', limits));
    expect({ status: err.status, code: err.code }).toEqual({ status: 413, code: 'bodyTooLarge' });
  });
});

describe('parseJson', () => {
  it('parses UTF-8 JSON, with or without a byte order mark', () => {
    expect(parseJson(Buffer.from('{"a":"é"}'), 8)).toEqual({ a: 'é' });
    expect(parseJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')]), 8)).toEqual([1]);
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'invalidUtf8'],
    ['broken JSON', Buffer.from('{"a":'), 'invalidJson'],
    ['a lone surrogate in a value', Buffer.from('{"a":"\\ud800"}'), 'invalidJson'],
    ['a lone surrogate in a key', Buffer.from('{"\\udc00":1}'), 'invalidJson'],
    ['a __proto__ key', Buffer.from('{"a":{"__proto__":{"x":1}}}'), 'invalidJson'],
    ['nesting past the limit', Buffer.from('['.repeat(9) + ']'.repeat(9)), 'bodyTooDeep'],
    ['100 000 nested arrays', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), 'bodyTooDeep'],
  ])('answers 400 to %s', (_name, bytes, code) => {
    const err = parseRefusal(() => parseJson(bytes, 8));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code });
  });

  it('accepts nesting up to the limit and paired surrogates', () => {
    expect(parseJson(Buffer.from('['.repeat(8) + ']'.repeat(8)), 8)).toBeDefined();
    expect(parseJson(Buffer.from('"\\ud83d\\ude00"'), 8)).toBe('😀');
  });
});
