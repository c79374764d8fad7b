import { inspect } from 'node:util';
import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { GenesysError } from '../../../src/genesys/genesysError';
import {
  BODY_SUMMARY_CHARS,
  codeForHttpStatus,
  httpNetworkError,
  httpStatusError,
  HttpFailureCause,
  parseRetryAfter,
  pathOf,
  summarizeBody,
} from '../../../src/genesys/shared/httpFailure';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay seconds, fractions included', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', NOW)).toBe(1500);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(3, NOW)).toBe(3000);
  });

  it('reads an HTTP-date against the injected clock, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', NOW)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });

  it('takes the first value of a repeated header', () => {
    expect(parseRetryAfter(['4', '9'], NOW)).toBe(4000);
  });

  it.each([undefined, null, '', '  ', 'soon', '-1', -1, Number.NaN, {}])('ignores %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('codeForHttpStatus', () => {
  it.each([
    [429, 'rateLimited'],
    [500, 'serverError'],
    [503, 'serverError'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [413, 'messageTooLong'],
    [400, 'badRequest'],
    [404, 'badRequest'],
  ] as const)('%i -> %s', (status, code) => {
    expect(codeForHttpStatus(status)).toBe(code);
  });
});

describe('pathOf and summarizeBody', () => {
  it('keeps only the path of a URL', () => {
    expect(pathOf('https://api.example/api/v2/x?jwt=secret#frag')).toBe('/api/v2/x');
    expect(pathOf('/api/v2/y?token=secret')).toBe('/api/v2/y');
  });

  it('summarizes a body on one line, truncated', () => {
    expect(summarizeBody({ code: 'bad', message: 'no' })).toBe('{"code":"bad","message":"no"}');
    expect(summarizeBody('line one\n  line two')).toBe('line one line two');
    expect(summarizeBody(undefined)).toBeUndefined();
    expect(summarizeBody('')).toBeUndefined();
    const long = summarizeBody('x'.repeat(1000));
    expect(long).toHaveLength(BODY_SUMMARY_CHARS + 1);
  });
});

describe('httpStatusError', () => {
  it('keeps status, Genesys code and Retry-After, with method, path and body summary as the cause', () => {
    const error = httpStatusError(
      {
        request: { method: 'get', url: 'https://api.example/api/v2/messages?pageSize=25&jwt=secret' },
        status: 429,
        body: { code: 'too.many.requests' },
        retryAfterMs: 2000,
        genesysCode: 'too.many.requests',
      },
      'rate limited',
    );
    expect(error).toBeInstanceOf(GenesysError);
    expect(error).toMatchObject({
      code: 'rateLimited',
      status: 429,
      genesysCode: 'too.many.requests',
      retryAfterMs: 2000,
    });
    expect(error.cause).toBeInstanceOf(HttpFailureCause);
    expect(error.cause).toMatchObject({
      method: 'GET',
      path: '/api/v2/messages',
      status: 429,
      body: '{"code":"too.many.requests"}',
    });
    expect(inspect(error, { depth: 10 })).not.toContain('secret');
  });

  it('uses the given code over the status default', () => {
    const error = httpStatusError({ request: { method: 'POST', url: '/a' }, status: 404 }, 'gone', 'retired');
    expect(error.code).toBe('retired');
  });
});

describe('httpNetworkError', () => {
  function axiosFailure(code: string): AxiosError {
    const config = {
      headers: new AxiosHeaders({ Authorization: 'Bearer secret-jwt' }),
      url: 'https://api.example/x?jwt=secret-jwt',
    } as InternalAxiosRequestConfig;
    return new AxiosError('request failed', code, config);
  }

  it('maps a timeout to timeout and anything else to network', () => {
    expect(httpNetworkError({ method: 'GET', url: '/x' }, axiosFailure('ECONNABORTED'), 'x failed').code).toBe(
      'timeout',
    );
    expect(httpNetworkError({ method: 'GET', url: '/x' }, axiosFailure('ETIMEDOUT'), 'x failed').code).toBe('timeout');
    expect(httpNetworkError({ method: 'GET', url: '/x' }, axiosFailure('ECONNREFUSED'), 'x failed').code).toBe(
      'network',
    );
    expect(httpNetworkError({ method: 'GET', url: '/x' }, new Error('boom'), 'x failed').code).toBe('network');
  });

  it('never keeps the axios error, its request headers or the query', () => {
    const error = httpNetworkError(
      { method: 'GET', url: 'https://api.example/x?jwt=secret-jwt' },
      axiosFailure('ECONNREFUSED'),
      'x failed',
    );
    expect(error.cause).toBeInstanceOf(HttpFailureCause);
    expect(error.cause).toMatchObject({ method: 'GET', path: '/x', status: undefined, body: 'ECONNREFUSED' });
    const printed = inspect(error, { depth: 10 });
    expect(printed).not.toContain('secret-jwt');
    expect(printed).not.toContain('Authorization');
  });
});
