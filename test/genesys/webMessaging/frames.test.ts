import { fitCustomAttributes, parseHistoryPage, parseServerFrame } from '../../../src/genesys/webMessaging/frames';
import { errorFromFrame } from '../../../src/genesys/webMessaging/webMessagingConnection';

function parsed(raw: unknown) {
  const result = parseServerFrame(JSON.stringify(raw));
  if (!result.ok) throw new Error(`expected a valid frame: ${result.reason}`);
  return result.frame;
}

describe('parseServerFrame', () => {
  it('reads a SessionResponse', () => {
    const frame = parsed({
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      tracingId: 't',
      body: { connected: true, newSession: false, readOnly: true, expirationDate: 1700000000 },
    });
    expect(frame).toEqual({
      type: 'response',
      code: 200,
      tracingId: 't',
      kind: 'sessionResponse',
      body: { connected: true, newSession: false, readOnly: true, expirationDate: 1700000000 },
    });
  });

  it("reads a SessionResponse's attachment profile, dropping entries of other shapes", () => {
    const frame = parsed({
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      body: {
        connected: true,
        allowedMedia: { inbound: { fileTypes: [{ type: 'image/*' }, { type: 5 }, 'video/mp4'], maxFileSizeKB: 10240 } },
        blockedExtensions: ['.exe', 7, ''],
      },
    });
    expect(frame).toMatchObject({
      kind: 'sessionResponse',
      body: {
        allowedMedia: { inbound: { fileTypes: ['image/*'], maxFileSizeKB: 10240 } },
        blockedExtensions: ['.exe'],
      },
    });
  });

  it('reads an outbound agent message with sender, attachments and events', () => {
    const frame = parsed({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body: {
        id: 'm1',
        type: 'Text',
        text: 'Hi',
        direction: 'Outbound',
        originatingEntity: 'Human',
        channel: { time: '2026-01-01T00:00:00.000Z', from: { nickname: 'Grace', image: 'https://x/a.png', extra: 5 } },
        content: [
          {
            contentType: 'Attachment',
            attachment: { url: 'https://x/f.pdf', filename: 'f.pdf', mime: 'application/pdf', fileSize: 2048 },
          },
          { contentType: 'Attachment', attachment: { url: 'https://x/g.png', fileSize: -1 } },
          { contentType: 'QuickReply', quickReply: {} },
          'junk',
        ],
        metadata: { correlationId: 'c', notAString: 3 },
      },
    });
    if (frame.kind !== 'structuredMessage') throw new Error('wrong kind');
    expect(frame.body.channel.from).toEqual({ nickname: 'Grace', image: 'https://x/a.png' });
    expect(frame.body.content).toEqual([
      {
        contentType: 'Attachment',
        attachment: { url: 'https://x/f.pdf', filename: 'f.pdf', mime: 'application/pdf', fileSize: 2048 },
      },
      { contentType: 'Attachment', attachment: { url: 'https://x/g.png' } },
      { contentType: 'QuickReply' },
    ]);
    expect(frame.body.metadata).toEqual({ correlationId: 'c' });
  });

  it('reads typing and presence events', () => {
    const frame = parsed({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body: {
        id: 'e1',
        type: 'Event',
        direction: 'Outbound',
        events: [
          { eventType: 'Typing', typing: { type: 'On', duration: 5000 } },
          { eventType: 'Presence', presence: { type: 'Disconnect' } },
          { eventType: 'Presence' },
        ],
      },
    });
    if (frame.kind !== 'structuredMessage') throw new Error('wrong kind');
    expect(frame.body.events).toEqual([
      { eventType: 'Typing', typing: { type: 'On', duration: 5000 } },
      { eventType: 'Presence', presence: { type: 'Disconnect' } },
    ]);
  });

  it('reads error frames: 429 with retryAfter and string bodies', () => {
    expect(
      parsed({
        type: 'response',
        class: 'TooManyRequestsErrorMessage',
        code: 429,
        body: { retryAfter: 3, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
      }),
    ).toMatchObject({
      kind: 'tooManyRequests',
      body: { retryAfter: 3, errorCode: 4029 },
    });
    expect(
      parsed({ type: 'response', class: 'string', code: 4011, body: 'Message length 5000 is larger than 4096' }),
    ).toMatchObject({ kind: 'errorString', code: 4011 });
  });

  it('keeps well-formed frames of unknown classes as "other"', () => {
    expect(
      parsed({ type: 'message', class: 'UploadSuccessEvent', code: 200, body: { attachmentId: 'a' } }),
    ).toMatchObject({ kind: 'other', className: 'UploadSuccessEvent' });
  });

  it.each([
    ['not JSON', '{oops'],
    ['an array', '[]'],
    ['null', 'null'],
    ['no class', '{"type":"message","code":200}'],
    ['code as a string', '{"type":"message","class":"string","code":"400","body":"x"}'],
    ['a message without id', '{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Text"}}'],
    ['a SessionResponse without connected', '{"type":"response","class":"SessionResponse","code":200,"body":{}}'],
    ['a string class with an object body', '{"type":"response","class":"string","code":400,"body":{}}'],
    ['a JwtResponse without jwt', '{"type":"response","class":"JwtResponse","code":200,"body":{"exp":1}}'],
  ])('rejects %s', (_name, raw) => {
    expect(parseServerFrame(raw).ok).toBe(false);
  });
});

describe('parseHistoryPage', () => {
  it('keeps valid entities and paging numbers, drops invalid entities', () => {
    const page = parseHistoryPage({
      entities: [{ id: 'a', type: 'Text', text: 'x', direction: 'Outbound' }, { type: 'Text' }, 7],
      pageSize: 25,
      pageNumber: 1,
      total: 2,
      pageCount: 1,
    });
    expect(page?.entities.map((e) => e.id)).toEqual(['a']);
    expect(page).toMatchObject({ pageSize: 25, pageNumber: 1, total: 2, pageCount: 1 });
  });

  it('rejects a body without entities', () => {
    expect(parseHistoryPage({ items: [] })).toBeUndefined();
  });
});

describe('fitCustomAttributes', () => {
  it('keeps everything that fits', () => {
    expect(fitCustomAttributes({ a: '1', b: '2' }, 2048)).toEqual({ kept: { a: '1', b: '2' }, dropped: [] });
  });

  it('drops whole keys that do not fit and keeps later small ones', () => {
    const { kept, dropped } = fitCustomAttributes({ a: 'x'.repeat(1000), big: 'y'.repeat(1500), c: 'z' }, 2048);
    expect(Object.keys(kept)).toEqual(['a', 'c']);
    expect(dropped).toEqual(['big']);
    expect(Buffer.byteLength(JSON.stringify(kept), 'utf8')).toBeLessThanOrEqual(2048);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const { dropped } = fitCustomAttributes({ emoji: '😀'.repeat(600) }, 2048);
    expect(dropped).toEqual(['emoji']);
  });
});

describe('errorFromFrame', () => {
  function frameWith(code: number, body: string) {
    return parsed({ type: 'response', class: 'string', code, body });
  }

  it.each([
    [4011, 'Message length 5000 is larger than 4096', 'message', 'messageTooLong'],
    [4006, 'Session expired', 'message', 'sessionExpired'],
    [403, 'HTTP authorization error', 'configure', 'originNotAllowed'],
    [403, 'Presence events Conversation Clear are not supported', 'clear', 'conversationState'],
    [400, 'Invalid deploymentId x', 'configure', 'unknownDeployment'],
    [404, 'Not found', 'configure', 'unknownDeployment'],
    [400, 'Request failed.', 'message', 'badRequest'],
    [503, 'Unavailable', 'message', 'serverError'],
  ] as const)('maps %i (%s) on %s to %s', (code, body, context, expected) => {
    const error = errorFromFrame(frameWith(code, body), context);
    expect(error.code).toBe(expected);
    expect(error.genesysCode).toBe(String(code));
  });

  it('carries retryAfter of a 429 in milliseconds', () => {
    const error = errorFromFrame(
      parsed({
        type: 'response',
        class: 'TooManyRequestsErrorMessage',
        code: 429,
        body: { retryAfter: 2, errorCode: 4029 },
      }),
      'message',
    );
    expect(error).toMatchObject({ code: 'rateLimited', retryAfterMs: 2000, genesysCode: '4029' });
  });
});
