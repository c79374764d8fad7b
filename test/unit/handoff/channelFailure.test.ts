import { classifyChannelError } from '../../../src/handoff/channelFailure';

/** The fields of a botframework-connector RestError that classification reads. */
function restError(statusCode: number, code: string, message = '', retryAfter?: string): Error {
  const headers = new Map<string, string>(retryAfter === undefined ? [] : [['retry-after', retryAfter]]);
  return Object.assign(new Error(message), {
    name: 'RestError',
    statusCode,
    code,
    details: { error: { code, message } },
    response: { status: statusCode, headers: { get: (name: string) => headers.get(name) } },
  });
}

describe('classifyChannelError', () => {
  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(classifyChannelError(restError(429, 'Throttled', '', '2'))).toMatchObject({
      kind: 'transient',
      retryAfterMs: 2000,
    });
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const dated = classifyChannelError(restError(429, 'Throttled', '', inFiveSeconds));
    expect(dated.retryAfterMs).toBeGreaterThan(3000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(classifyChannelError(restError(429, 'Throttled')).retryAfterMs).toBeUndefined();
  });

  it.each([
    [412, 'PreconditionFailed', 'transient', ''],
    [502, 'ServiceError', 'transient', ''],
    [504, 'GatewayTimeout', 'transient', ''],
    [403, 'InvalidBotApiHost', 'stale', ''],
    [403, 'ConversationBlockedByUser', 'gone', ''],
    [403, 'BotDisabledByAdmin', 'gone', ''],
    [403, 'NotEnoughPermissions', 'permanent', ''],
    [401, 'BotNotRegistered', 'permanent', ''],
    [400, 'BadArgument', 'permanent', 'Activity text is required'],
  ])('%i %s is %s', (status, code, kind, message) => {
    expect(classifyChannelError(restError(status, code, message))).toMatchObject({ kind, status, code });
  });

  it('treats an error without a status (refused, reset, timed out) as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyChannelError(reset)).toEqual({ kind: 'transient', code: 'ECONNRESET' });
    expect(classifyChannelError('odd')).toEqual({ kind: 'transient', code: 'network' });
  });
});
