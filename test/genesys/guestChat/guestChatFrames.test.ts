import { conversationIdOfTopic, parseGuestChatFrame } from '../../../src/genesys/guestChat/guestChatFrames';

const CONV = 'c0ffee00-0000-4000-8000-000000000001';

function frame(suffix: string, type: string | undefined, eventBody: unknown, metadataKey = 'CorrelationId'): string {
  const metadata: Record<string, string> = { [metadataKey]: 'corr-1' };
  if (type !== undefined) metadata.type = type;
  return JSON.stringify({ topicName: `v2.conversations.chats.${CONV}.${suffix}`, version: '2', eventBody, metadata });
}

describe('parseGuestChatFrame', () => {
  it('reads a message frame as captured (docs/genesys-protocol.md §3.7)', () => {
    const parsed = parseGuestChatFrame(
      frame('messages', 'message', {
        id: 'm1',
        conversation: { id: CONV },
        sender: { id: 'agent-1' },
        body: 'Hello, how can I help?',
        bodyType: 'standard',
        timestamp: '2026-01-01T10:00:00.000Z',
      }),
    );
    expect(parsed).toEqual({
      kind: 'message',
      topicName: `v2.conversations.chats.${CONV}.messages`,
      correlationId: 'corr-1',
      message: {
        id: 'm1',
        conversation: { id: CONV },
        sender: { id: 'agent-1' },
        body: 'Hello, how can I help?',
        bodyType: 'standard',
        timestamp: '2026-01-01T10:00:00.000Z',
      },
    });
  });

  it.each(['standard', 'notice', 'member-join', 'member-leave', 'media-request'])('accepts bodyType %s', (bodyType) => {
    const parsed = parseGuestChatFrame(
      frame('messages', 'message', { id: 'm', sender: { id: 's' }, body: '', bodyType, timestamp: 't' }),
    );
    expect(parsed.kind).toBe('message');
  });

  it('reads CorrelationId whatever its case', () => {
    const parsed = parseGuestChatFrame(
      frame('members', 'member-change', { member: { id: 'a', state: 'CONNECTED' } }, 'correlationID'),
    );
    expect(parsed).toMatchObject({ kind: 'memberChange', correlationId: 'corr-1', memberId: 'a', state: 'CONNECTED' });
  });

  it('reads typing indicators and member changes', () => {
    expect(
      parseGuestChatFrame(frame('messages', 'typing-indicator', { id: 't1', sender: { id: 'a' }, timestamp: 'x' })),
    ).toMatchObject({
      kind: 'typing',
      typing: { id: 't1', sender: { id: 'a' } },
    });
    for (const state of ['ALERTING', 'CONNECTED', 'DISCONNECTED']) {
      expect(
        parseGuestChatFrame(
          frame('members', 'member-change', { conversation: { id: CONV }, member: { id: 'a', state }, timestamp: 'x' }),
        ),
      ).toMatchObject({
        kind: 'memberChange',
        state,
        timestamp: 'x',
      });
    }
  });

  it('infers the type from the topic when metadata.type is missing', () => {
    expect(parseGuestChatFrame(frame('members', undefined, { member: { id: 'a', state: 'DISCONNECTED' } })).kind).toBe(
      'memberChange',
    );
    expect(
      parseGuestChatFrame(frame('messages', undefined, { id: 't', sender: { id: 'a' }, timestamp: 'x' })).kind,
    ).toBe('typing');
    expect(
      parseGuestChatFrame(
        frame('messages', undefined, { id: 'm', sender: { id: 'a' }, body: 'b', bodyType: 'standard', timestamp: 'x' }),
      ).kind,
    ).toBe('message');
  });

  it('recognises heartbeats', () => {
    expect(
      parseGuestChatFrame('{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}'),
    ).toEqual({
      kind: 'channelMetadata',
      message: 'WebSocket Heartbeat',
    });
  });

  it('reports unknown topics and types without failing', () => {
    expect(parseGuestChatFrame('{"topicName":"v2.users.x.presence","eventBody":{}}')).toMatchObject({
      kind: 'unknown',
      topicName: 'v2.users.x.presence',
    });
    expect(parseGuestChatFrame(frame('messages', 'reaction', { id: 'r' }))).toMatchObject({
      kind: 'unknown',
      type: 'reaction',
    });
  });

  it.each([
    ['not JSON', 'hello'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['no topic', '{"eventBody":{}}'],
    [
      'no body',
      JSON.stringify({ topicName: `v2.conversations.chats.${CONV}.messages`, metadata: { type: 'message' } }),
    ],
    [
      'a message without sender',
      frame('messages', 'message', { id: 'm', body: 'x', bodyType: 'standard', timestamp: 't' }),
    ],
    [
      'an unknown bodyType',
      frame('messages', 'message', {
        id: 'm',
        sender: { id: 's' },
        body: 'x',
        bodyType: 'standard | notice',
        timestamp: 't',
      }),
    ],
    [
      'a member-change with an unknown state',
      frame('members', 'member-change', { member: { id: 'a', state: 'WRAPUP' } }),
    ],
    ['a member-change without member', frame('members', 'member-change', { timestamp: 't' })],
    [
      'a numeric id',
      frame('messages', 'message', { id: 5, sender: { id: 's' }, body: 'x', bodyType: 'standard', timestamp: 't' }),
    ],
  ])('calls %s malformed', (_name, text) => {
    expect(parseGuestChatFrame(text).kind).toBe('malformed');
  });
});

describe('conversationIdOfTopic', () => {
  it('extracts the id of chat topics only', () => {
    expect(conversationIdOfTopic(`v2.conversations.chats.${CONV}.members`)).toBe(CONV);
    expect(conversationIdOfTopic('channel.metadata')).toBeUndefined();
  });
});
