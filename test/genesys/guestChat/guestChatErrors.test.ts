import type { GenesysErrorCode } from '../../../src/genesys/genesysError';
import {
  mapGuestChatHttpError,
  parseRetryAfterMs,
  RETIRED_MESSAGE,
  type GuestChatOperation,
} from '../../../src/genesys/guestChat/guestChatErrors';
import { toErrorBody, type ErrorBody } from '../../../src/genesys/guestChat/guestChatModels';

function body(status: number, code: string): ErrorBody {
  return {
    status,
    code,
    message: 'm',
    messageWithParams: 'm',
    messageParams: {},
    contextId: 'ctx',
    details: [],
    errors: [],
  };
}

const REQUEST = { method: 'POST', url: '/api/v2/webchat/guest/conversations' };

describe('mapGuestChatHttpError', () => {
  const cases: [GuestChatOperation, number, string | undefined, GenesysErrorCode][] = [
    ['create', 400, 'chat.error.invalid.queue', 'invalidQueue'],
    ['create', 400, 'chat.deployment.disabled', 'deploymentDisabled'],
    ['create', 400, 'chat.deployment.require.auth', 'authRequired'],
    ['create', 400, 'chat.deployment.bad.auth', 'authRequired'],
    ['create', 403, 'origin.not.allowed', 'originNotAllowed'],
    ['create', 404, 'not.found', 'retired'],
    ['create', 404, undefined, 'retired'],
    ['create', 429, 'too.many.requests', 'rateLimited'],
    ['create', 500, 'caht.error', 'serverError'],
    ['create', 503, 'chat.error.service.unavailable', 'serverError'],
    ['create', 400, 'chat.error.notnull.createconversationrequest.memberinfo.displayname', 'badRequest'],
    ['sendMessage', 400, 'chat.error.conversation.state', 'conversationState'],
    ['sendMessage', 400, 'chat.error.member.state', 'conversationState'],
    ['sendTyping', 400, 'chat.error.conversation.state', 'conversationState'],
    ['sendMessage', 401, 'credentials.expired', 'sessionExpired'],
    ['sendMessage', 401, 'bad.credentials', 'unauthorized'],
    ['sendMessage', 401, 'authentication.required', 'unauthorized'],
    ['sendMessage', 413, 'request.entity.too.large', 'messageTooLong'],
    ['sendMessage', 400, 'constraint.validation', 'badRequest'],
    ['getMember', 404, 'chat.error.not.found', 'sessionExpired'],
    ['deleteMember', 400, 'chat.error.conversation.state', 'conversationState'],
    ['sendMessage', 400, 'chat.error.invalid.queue', 'badRequest'],
  ];

  it.each(cases)('%s %i %s -> %s', (operation, status, code, expected) => {
    const error = mapGuestChatHttpError({
      operation,
      status,
      body: code === undefined ? undefined : body(status, code),
      retryAfterMs: undefined,
      request: REQUEST,
    });
    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.genesysCode).toBe(code);
  });

  it('tells the operator what to do when the API is retired', () => {
    const error = mapGuestChatHttpError({
      operation: 'create',
      status: 404,
      body: body(404, 'not.found'),
      retryAfterMs: undefined,
      request: REQUEST,
    });
    expect(error.message).toBe(RETIRED_MESSAGE);
    expect(error.message).toContain('GenesysProvider=webmessaging');
    expect(error.message).toContain('retired');
  });

  it('keeps the server-given wait of a 429', () => {
    const error = mapGuestChatHttpError({
      operation: 'sendMessage',
      status: 429,
      body: body(429, 'too.many.requests.retry.after'),
      retryAfterMs: 3000,
      request: REQUEST,
    });
    expect(error.retryAfterMs).toBe(3000);
    expect(error.cause).toMatchObject({ method: 'POST', path: '/api/v2/webchat/guest/conversations', status: 429 });
    expect(error.transient).toBe(true);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates from the header', () => {
    expect(parseRetryAfterMs('2', undefined)).toBe(2000);
    expect(parseRetryAfterMs(['1.5'], undefined)).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', undefined, now)).toBe(5000);
  });

  it('falls back to the seconds in a too.many.requests.retry.after body', () => {
    const rateBody: ErrorBody = {
      ...body(429, 'too.many.requests.retry.after'),
      message: 'Retry the request in [7] seconds',
      messageParams: {},
    };
    expect(parseRetryAfterMs(undefined, rateBody)).toBe(7000);
    expect(parseRetryAfterMs(undefined, body(429, 'too.many.requests'))).toBeUndefined();
    expect(parseRetryAfterMs('soon', undefined)).toBeUndefined();
  });
});

describe('toErrorBody', () => {
  it('reads the envelope and refuses things without a code', () => {
    expect(
      toErrorBody({ code: 'x', status: 400, message: 'y', messageParams: { a: 'b', n: 1 }, contextId: 'c' }),
    ).toEqual({
      code: 'x',
      status: 400,
      message: 'y',
      messageParams: { a: 'b' },
      contextId: 'c',
    });
    expect(toErrorBody({ message: 'no code' })).toBeUndefined();
    expect(toErrorBody('text')).toBeUndefined();
  });
});
