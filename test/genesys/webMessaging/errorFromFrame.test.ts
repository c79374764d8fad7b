import { parseServerFrame, type ServerFrame } from '../../../src/genesys/webMessaging/frames';
import { errorFromFrame } from '../../../src/genesys/webMessaging/webMessagingConnection';

function frame(raw: Record<string, unknown>): ServerFrame {
  const result = parseServerFrame(JSON.stringify(raw));
  if (!result.ok) throw new Error(result.reason);
  return result.frame;
}

const stringFrame = (code: number, body: string): ServerFrame =>
  frame({ type: 'response', class: 'string', code, body });

describe('errorFromFrame (docs/genesys-protocol.md §5.6)', () => {
  it('names what the user can act on: 4011 text too long, 4013 attributes too large', () => {
    expect(errorFromFrame(stringFrame(4011, 'Message length 5000 is larger than 4096'), 'message').code).toBe(
      'messageTooLong',
    );
    expect(
      errorFromFrame(stringFrame(4013, 'Custom Attributes in channel metadata is larger than 2048 bytes'), 'message')
        .code,
    ).toBe('attributesTooLarge');
  });

  it('reads 409 on a message as a read-only session (§5.16), not a bad request', () => {
    const error = errorFromFrame(stringFrame(409, 'Session is read-only, no new messages allowed'), 'message');
    expect(error.code).toBe('sessionReadOnly');
    expect(error.status).toBe(409);
    expect(error.transient).toBe(false);
  });

  it('keeps retryAfter of a TooManyRequestsErrorMessage (§5.4)', () => {
    const error = errorFromFrame(
      frame({
        type: 'response',
        class: 'TooManyRequestsErrorMessage',
        code: 429,
        body: { retryAfter: 3, errorCode: 4029, errorMessage: 'too many' },
      }),
      'configure',
    );
    expect(error.code).toBe('rateLimited');
    expect(error.retryAfterMs).toBe(3000);
  });
});
