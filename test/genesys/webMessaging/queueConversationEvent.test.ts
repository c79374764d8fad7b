import {
  decideAgentJoin,
  HANDOFF_ID_ATTRIBUTE,
  handoffIdOf,
  queueTopicOf,
  type AgentJoinContext,
} from '../../../src/genesys/webMessaging/queueConversationEvent';

const QUEUE = 'a1b2c3d4-0000-4000-8000-000000000001';
const OTHER_QUEUE = 'a1b2c3d4-0000-4000-8000-000000000002';
const HELD = handoffIdOf('session-token-1');

const context: AgentJoinContext = { queueIds: new Set([QUEUE]), holds: (id) => id === HELD };

const customer = (handoffId = HELD): Record<string, unknown> => ({
  id: 'p-customer',
  purpose: 'customer',
  state: 'connected',
  connectedTime: '2026-11-30T10:00:00.000Z',
  attributes: { [HANDOFF_ID_ATTRIBUTE]: handoffId, botChannel: 'msteams' },
});
const acd = { id: 'p-acd', purpose: 'acd', state: 'connected', queue: { id: QUEUE }, attributes: {} };

function body(...participants: Record<string, unknown>[]): Record<string, unknown> {
  return { id: 'conv-1', participants };
}

describe('decideAgentJoin (queue conversation topic → agent joined)', () => {
  it('announces a connected agent with a connectedTime, naming the participant and user', () => {
    const agent = {
      id: 'p-agent',
      purpose: 'agent',
      state: 'connected',
      connectedTime: '2026-11-30T10:01:00.000Z',
      user: { id: 'user-anna', selfUri: '/api/v2/users/user-anna' },
      queue: { id: QUEUE },
      attributes: {},
    };
    expect(
      decideAgentJoin(queueTopicOf(QUEUE), body(customer(), { ...acd, state: 'disconnected' }, agent), context),
    ).toEqual({
      kind: 'join',
      conversationId: 'conv-1',
      handoffId: HELD,
      agent: { participantId: 'p-agent', userId: 'user-anna' },
    });
  });

  it('reads a flat userId too', () => {
    const agent = {
      id: 'p-agent',
      purpose: 'agent',
      state: 'connected',
      connectedTime: '2026-11-30T10:01:00Z',
      userId: 'u-2',
    };
    const decision = decideAgentJoin(queueTopicOf(QUEUE), body(customer(), agent), context);
    expect(decision).toMatchObject({ kind: 'join', agent: { userId: 'u-2' } });
  });

  it('does not take an alerting agent, or one without a connectedTime, for a join', () => {
    const alerting = { id: 'p-agent', purpose: 'agent', state: 'alerting', user: { id: 'u' } };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(), acd, alerting), context)).toEqual({
      kind: 'ignore',
      reason: 'no connected agent',
    });
    const noConnectedTime = { id: 'p-agent', purpose: 'agent', state: 'connected', user: { id: 'u' } };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(), noConnectedTime), context).kind).toBe('ignore');
  });

  it('does not take an agent who has left (disconnected, or connected with an endTime) for a join', () => {
    const left = {
      id: 'p-agent',
      purpose: 'agent',
      state: 'disconnected',
      connectedTime: '2026-11-30T10:01:00Z',
      endTime: '2026-11-30T10:05:00Z',
      disconnectType: 'client',
      startAcwTime: '2026-11-30T10:05:00Z',
    };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(), left), context).kind).toBe('ignore');
    const ended = { ...left, state: 'connected' };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(), ended), context).kind).toBe('ignore');
  });

  it('takes the agent who connected last when a transfer left two', () => {
    const first = {
      id: 'p-1',
      purpose: 'agent',
      state: 'connected',
      connectedTime: '2026-11-30T10:01:00Z',
      user: { id: 'u-1' },
    };
    const second = {
      id: 'p-2',
      purpose: 'agent',
      state: 'connected',
      connectedTime: '2026-11-30T10:03:00Z',
      user: { id: 'u-2' },
    };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(), second, first), context)).toMatchObject({
      agent: { participantId: 'p-2', userId: 'u-2' },
    });
  });

  it("ignores other queues' conversations and other topics", () => {
    const agent = { id: 'p-agent', purpose: 'agent', state: 'connected', connectedTime: '2026-11-30T10:01:00Z' };
    expect(decideAgentJoin(queueTopicOf(OTHER_QUEUE), body(customer(), agent), context)).toEqual({
      kind: 'ignore',
      reason: 'a queue not watched here',
    });
    expect(
      decideAgentJoin('v2.detail.events.conversation.conv-1.user.start', body(customer(), agent), context).kind,
    ).toBe('ignore');
  });

  it('ignores conversations the bot did not hand over, and chats held by another instance', () => {
    const agent = { id: 'p-agent', purpose: 'agent', state: 'connected', connectedTime: '2026-11-30T10:01:00Z' };
    const plain = { ...customer(), attributes: { botChannel: 'msteams' } };
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(plain, agent), context)).toEqual({
      kind: 'ignore',
      reason: 'not a conversation the bot handed over',
    });
    expect(decideAgentJoin(queueTopicOf(QUEUE), body(customer(handoffIdOf('another token')), agent), context)).toEqual({
      kind: 'ignore',
      reason: 'a chat not held here',
    });
  });

  it('ignores unreadable bodies without throwing', () => {
    for (const bad of [
      null,
      'text',
      [],
      { participants: [] },
      { id: 'c', participants: 'x' },
      { id: 'c', participants: [1, null] },
    ])
      expect(decideAgentJoin(queueTopicOf(QUEUE), bad, context).kind).toBe('ignore');
  });

  it('derives a stable, opaque handoff id that does not contain the token', () => {
    const id = handoffIdOf('secret-session-token');
    expect(id).toBe(handoffIdOf('secret-session-token'));
    expect(id).not.toBe(handoffIdOf('secret-session-token2'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(id).not.toContain('secret');
  });
});
