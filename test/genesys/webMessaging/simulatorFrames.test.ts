import { parseGuestRequest } from '../../../src/simulator/webMessaging/clientFrames';

describe('simulator: parseGuestRequest', () => {
  it('accepts a configureSession', () => {
    expect(
      parseGuestRequest(JSON.stringify({ action: 'configureSession', token: 't', deploymentId: 'd', tracingId: 'x' })),
    ).toEqual({
      ok: true,
      request: { action: 'configureSession', token: 't', deploymentId: 'd', startNew: false, tracingId: 'x' },
    });
  });

  it('reads custom attributes from the message channel only; the request channel is ignored (§5.3)', () => {
    const onMessage = parseGuestRequest(
      JSON.stringify({
        action: 'onMessage',
        token: 't',
        message: { type: 'Text', text: 'hi', channel: { metadata: { customAttributes: { a: '1' } } } },
      }),
    );
    expect(onMessage).toMatchObject({ ok: true, request: { message: { customAttributes: { a: '1' } } } });
    const topLevel = parseGuestRequest(
      JSON.stringify({
        action: 'onMessage',
        token: 't',
        channel: { metadata: { customAttributes: { b: '2' } } },
        message: { type: 'Text', text: 'hi' },
      }),
    );
    expect(topLevel).toMatchObject({ ok: true, request: { message: { type: 'Text', text: 'hi' } } });
    expect(topLevel.ok && topLevel.request.action === 'onMessage' && topLevel.request.message).not.toHaveProperty(
      'customAttributes',
    );
  });

  it('accepts typing and presence events', () => {
    const result = parseGuestRequest(
      JSON.stringify({
        action: 'onMessage',
        token: 't',
        message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      request: { message: { type: 'Event', events: [{ eventType: 'Presence', presenceType: 'Clear' }] } },
    });
  });

  it.each([
    ['garbage', 'nope'],
    ['no action', '{"token":"t"}'],
    ['no token', '{"action":"getJwt"}'],
    ['unknown action', '{"action":"dance","token":"t"}'],
    ['text that is not a string', '{"action":"onMessage","token":"t","message":{"type":"Text","text":5}}'],
    ['an empty text', '{"action":"onMessage","token":"t","message":{"type":"Text","text":""}}'],
    [
      'an unknown event',
      '{"action":"onMessage","token":"t","message":{"type":"Event","events":[{"eventType":"Dance"}]}}',
    ],
  ])('rejects %s, keeping the tracingId when there is one', (_name, raw) => {
    const result = parseGuestRequest(raw);
    expect(result.ok).toBe(false);
  });

  it('keeps the tracingId of an invalid request for the error reply', () => {
    expect(parseGuestRequest('{"action":"onMessage","token":"t","tracingId":"tr"}')).toMatchObject({
      ok: false,
      tracingId: 'tr',
    });
  });
});
