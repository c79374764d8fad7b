import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import type * as restify from 'restify';
import type { Logger } from '../logger';
import { sendJsonError } from './httpErrors';

/** Limits applied to every request body. */
export interface BodyLimits {
  /** Largest body accepted, in bytes, both as received and after `Content-Encoding` is decoded. */
  maxBytes: number;
  /** Deepest nesting of JSON arrays and objects accepted. */
  maxDepth: number;
}

/** Defaults of {@link BodyLimits}: 256 KiB, 64 levels. */
export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 256 * 1024, maxDepth: 64 };

/** Why a request body was refused; `status` is the HTTP status to answer with. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code:
      | 'bodyTooLarge'
      | 'unsupportedContentEncoding'
      | 'invalidContentEncoding'
      | 'unsupportedMediaType'
      | 'invalidUtf8'
      | 'invalidJson'
      | 'bodyTooDeep'
      | 'incompleteBody',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RequestBodyError';
  }
}

/** A request body read, decoded and parsed by {@link readJsonBody}. */
export interface JsonBody {
  /** The parsed JSON value; `undefined` for an empty body. */
  value: unknown;
  /** The decoded bytes (after `Content-Encoding`), e.g. for a webhook signature check. */
  raw: Buffer;
}

type Decoder = (input: Buffer, options: ZlibOptions) => Promise<Buffer>;

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  // RFC 9110 names the zlib format "deflate"; some clients send raw deflate: tell them apart by the zlib header.
  deflate: (input, options) =>
    hasZlibHeader(input) ? promisify(inflate)(input, options) : promisify(inflateRaw)(input, options),
  br: promisify(brotliDecompress),
};

/** Most content codings applied on top of each other that are decoded. */
const MAX_CODINGS = 2;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body in full, at most `limits.maxBytes` as received, and decodes its
 * `Content-Encoding` with {@link decodeBody}. Never throws anything but {@link RequestBodyError};
 * every stream error is handled here.
 *
 * After a refusal the rest of the body is read and discarded, so the answer still reaches the client
 * and the connection stays usable.
 */
export async function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return decodeBody(await receiveBody(req, limits), req.headers['content-encoding'], limits);
}

/**
 * Decodes a body sent with `Content-Encoding: contentEncoding`: `gzip`, `x-gzip`, `deflate` (zlib or
 * raw), `br`, `identity`, or two of them stacked. The result is at most `limits.maxBytes` (a
 * compression bomb stops there). Throws {@link RequestBodyError}: 415 for an unknown coding, 400 for a
 * corrupt or truncated stream, 413 when too large.
 */
export async function decodeBody(
  body: Buffer,
  contentEncoding: string | undefined,
  limits: Pick<BodyLimits, 'maxBytes'>,
): Promise<Buffer> {
  let decoded = body;
  for (const coding of contentCodings(contentEncoding).reverse()) {
    try {
      decoded = await decoderOf(coding)(decoded, { maxOutputLength: limits.maxBytes });
    } catch (err) {
      if (isErrorWithCode(err, 'ERR_BUFFER_TOO_LARGE')) throw tooLarge(limits);
      throw new RequestBodyError(400, 'invalidContentEncoding', `The body is not valid ${coding} data.`, {
        cause: err,
      });
    }
  }
  return decoded;
}

/**
 * Reads the body like {@link readRequestBody}, checks the media type (`application/json` or
 * `application/*+json`, UTF-8) and parses the JSON with {@link parseJson}. An empty body is
 * `undefined` whatever its media type. The media type and the content codings are checked before
 * anything is decoded. Throws {@link RequestBodyError} only.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits = DEFAULT_BODY_LIMITS): Promise<JsonBody> {
  const received = await receiveBody(req, limits);
  if (received.length === 0) return { value: undefined, raw: received };
  const mediaTypeProblem = checkMediaType(req.headers['content-type']);
  if (mediaTypeProblem !== undefined) throw new RequestBodyError(415, 'unsupportedMediaType', mediaTypeProblem);
  const raw = await decodeBody(received, req.headers['content-encoding'], limits);
  return { value: raw.length === 0 ? undefined : parseJson(raw, limits.maxDepth), raw };
}

/**
 * Parses UTF-8 JSON bytes with the checks of {@link readJsonBody}. Throws {@link RequestBodyError}.
 */
export function parseJson(bytes: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (err) {
    throw new RequestBodyError(400, 'invalidUtf8', 'The body is not valid UTF-8 text.', { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RequestBodyError(400, 'invalidJson', 'The body is not valid JSON.', { cause: err });
  }
  checkJsonValue(value, maxDepth);
  return value;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Walks a parsed JSON value without recursion; throws on depth, `__proto__` keys and lone surrogates. */
function checkJsonValue(root: unknown, maxDepth: number): void {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) throw invalidUnicode();
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth)
      throw new RequestBodyError(
        400,
        'bodyTooDeep',
        `The JSON body nests arrays and objects deeper than ${maxDepth} levels.`,
      );
    if (Array.isArray(value)) {
      for (const child of value as unknown[]) stack.push({ value: child, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === '__proto__')
        throw new RequestBodyError(400, 'invalidJson', 'The JSON body must not use the key "__proto__".');
      if (LONE_SURROGATE.test(key)) throw invalidUnicode();
      stack.push({ value: child, depth: depth + 1 });
    }
  }
}

function invalidUnicode(): RequestBodyError {
  return new RequestBodyError(
    400,
    'invalidJson',
    'The JSON body holds a string that is not valid Unicode (a lone surrogate).',
  );
}

/** The content codings of a `Content-Encoding` header, outermost last; refuses more than {@link MAX_CODINGS}. */
function contentCodings(header: string | undefined): string[] {
  if (header === undefined) return [];
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length > MAX_CODINGS)
    throw new RequestBodyError(
      415,
      'unsupportedContentEncoding',
      `At most ${MAX_CODINGS} content codings are decoded.`,
    );
  for (const coding of codings) decoderOf(coding);
  return codings;
}

function decoderOf(coding: string): Decoder {
  const decoder = Object.hasOwn(DECODERS, coding) ? DECODERS[coding] : undefined;
  if (decoder === undefined)
    throw new RequestBodyError(
      415,
      'unsupportedContentEncoding',
      'Content-Encoding must be gzip, deflate, br or identity.',
    );
  return decoder;
}

/** A problem with the `Content-Type` header for a JSON body, or undefined. */
function checkMediaType(header: string | undefined): string | undefined {
  const expected = 'The body must be JSON: send "Content-Type: application/json".';
  if (header === undefined || header.trim() === '') return expected;
  const [type = '', ...params] = header.split(';');
  const mediaType = type.trim().toLowerCase();
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return expected;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return 'The body must be UTF-8 encoded JSON.';
  }
  return undefined;
}

/**
 * Collects the body as received. Past `limits.maxBytes` (declared or counted) it stops keeping
 * bytes, rejects with 413 and lets the rest flow into nothing.
 */
function receiveBody(req: IncomingMessage, limits: Pick<BodyLimits, 'maxBytes'>): Promise<Buffer> {
  const { maxBytes } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(limits));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const onData = (chunk: Buffer): void => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge(limits));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!refused) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      refused = true;
      reject(new RequestBodyError(400, 'incompleteBody', 'The body could not be read.', { cause: err }));
    });
    req.once('close', () => {
      // Settles nothing when 'end' or an error came first (a promise settles once).
      if (!req.complete) reject(new RequestBodyError(400, 'incompleteBody', 'The body ended before it was complete.'));
    });
  });
}

function tooLarge(limits: Pick<BodyLimits, 'maxBytes'>): RequestBodyError {
  return new RequestBodyError(413, 'bodyTooLarge', `The body is larger than ${limits.maxBytes} bytes.`);
}

function hasZlibHeader(input: Buffer): boolean {
  const cmf = input[0];
  const flg = input[1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

function causeMessage(cause: unknown): string | undefined {
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}

function isErrorWithCode(err: unknown, code: string): boolean {
  // Not `instanceof Error`: errors from Node internals may come from another realm (a test VM).
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** The decoded body bytes of a request that went through {@link jsonBodyParser}, or undefined. */
export function rawBody(req: IncomingMessage): Buffer | undefined {
  return rawBodies.get(req);
}

/** Methods whose body is read; the body of any other request is ignored (and discarded by Node). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * restify middleware for every route: reads the body with {@link readJsonBody} and sets `req.body`
 * (the parsed JSON, or `undefined` when empty). A refused body is answered here with its 4xx and a
 * JSON error `{ error, message }`; the route handler does not run.
 */
export function jsonBodyParser(logger: Logger, limits: BodyLimits = DEFAULT_BODY_LIMITS): restify.RequestHandler {
  return (req: restify.Request, res: restify.Response, next: restify.Next): void => {
    if (!BODY_METHODS.has(req.method ?? '')) {
      next();
      return;
    }
    readJsonBody(req, limits).then(
      (body) => {
        req.body = body.value;
        rawBodies.set(req, body.raw);
        next();
      },
      (err: unknown) => {
        if (!(err instanceof RequestBodyError)) {
          next(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        logger.info(
          {
            status: err.status,
            error: err.code,
            path: req.path(),
            reason: causeMessage(err.cause),
          },
          'request body refused',
        );
        sendJsonError(res, err.status, err.code, err.message);
        next(false);
      },
    );
  };
}
