import { conversationVerdict, isTransferDisconnect, readDetailEvent } from '../../../src/genesys/openMessaging';
import { toConversationSnapshot } from '../../../src/genesys/openMessaging/payloads';

/** The 22 `disconnectType` values of `user.end`/`customer.end` (docs/genesys-protocol.md §6.5). */
const TRANSFERS = [
  'TRANSFER',
  'CONFERENCE_TRANSFER',
  'CONSULT_TRANSFER',
  'FORWARD_TRANSFER',
  'NO_ANSWER_TRANSFER',
  'NOT_AVAILABLE_TRANSFER',
  'DND_TRANSFER',
];
const ENDS = [
  'CLIENT',
  'ENDPOINT',
  'PEER',
  'SYSTEM',
  'ERROR',
  'TIMEOUT',
  'TRANSPORT_FAILURE',
  'UNCALLABLE',
  'DND_ENDPOINT',
  'SPAM',
  'OTHER',
  'UNKNOWN',
  'INACTIVITY',
  'SESSION_EXPIRED',
  'TAKEOVER',
];
const C = 'c0ffee00-0000-4000-8000-000000000001';

describe('end and transfer decisions (docs/genesys-protocol.md §6.5)', () => {
  it('covers all 22 disconnectType values', () => {
    expect(new Set([...TRANSFERS, ...ENDS]).size).toBe(22);
  });

  it.each(TRANSFERS)('user.end with %s is a transfer, not an end', (type) => {
    expect(isTransferDisconnect(type)).toBe(true);
    expect(isTransferDisconnect(type.toLowerCase())).toBe(true);
    expect(
      readDetailEvent(`v2.detail.events.conversation.${C}.user.end`, { conversationId: C, disconnectType: type }),
    ).toEqual({
      conversationId: C,
      signal: { kind: 'agentLeft', transfer: true, disconnectType: type, participantId: undefined },
    });
  });

  it.each(ENDS)('user.end with %s is the agent leaving for good', (type) => {
    expect(isTransferDisconnect(type)).toBe(false);
    const event = readDetailEvent(`v2.detail.events.conversation.${C}.user.end`, {
      disconnectType: type,
      participantId: 'p1',
    });
    expect(event?.signal).toEqual({ kind: 'agentLeft', transfer: false, disconnectType: type, participantId: 'p1' });
  });

  it.each([...TRANSFERS, ...ENDS])('customer.end with %s ends the chat', (type) => {
    expect(
      readDetailEvent(`v2.detail.events.conversation.${C}.customer.end`, { disconnectType: type })?.signal,
    ).toEqual({ kind: 'customerEnded', disconnectType: type });
  });

  it('reads user.start and the wrap-up, and ignores other topics', () => {
    expect(
      readDetailEvent(`v2.detail.events.conversation.${C}.user.start`, { userId: 'u1', participantId: 'p1' })?.signal,
    ).toEqual({ kind: 'agentJoined', userId: 'u1', participantId: 'p1' });
    expect(
      readDetailEvent(`v2.detail.events.conversation.${C}.acw`, { wrapupCode: 'Resolved', wrapupNotes: 'ok' })?.signal,
    ).toEqual({ kind: 'wrapup', code: 'Resolved', notes: 'ok' });
    expect(readDetailEvent(`v2.detail.events.conversation.${C}.acw`, { wrapupCode: '' })).toBeUndefined();
    expect(readDetailEvent(`v2.detail.events.conversation.${C}.acd.start`, {})).toBeUndefined();
    expect(readDetailEvent('channel.metadata', { message: 'WebSocket Heartbeat' })).toBeUndefined();
  });

  describe('conversation verdict (polling)', () => {
    const snapshot = (participants: Record<string, unknown>[]) => {
      const parsed = toConversationSnapshot({ id: C, participants });
      if (parsed === undefined) throw new Error('unreadable');
      return parsed;
    };
    const customer = (state = 'connected') => ({ id: 'cu', purpose: 'customer', state });
    const acd = (state = 'connected') => ({ id: 'q', purpose: 'acd', state });
    const agent = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
      id,
      purpose: 'agent',
      state,
      userId: `user-${id}`,
      ...extra,
    });

    it('is ended when the customer left, keeping the wrap-up', () => {
      expect(
        conversationVerdict(
          snapshot([
            customer('disconnected'),
            agent('a1', 'disconnected', { disconnectType: 'client', wrapup: { code: 'Done', notes: '' } }),
          ]),
        ),
      ).toEqual({ kind: 'ended', wrapup: { code: 'Done' } });
    });

    it('is with the connected agent, also right after a transfer to another agent', () => {
      expect(
        conversationVerdict(
          snapshot([customer(), agent('a1', 'disconnected', { disconnectType: 'transfer' }), agent('a2', 'connected')]),
        ),
      ).toEqual({ kind: 'withAgent', userId: 'user-a2', participantId: 'a2' });
    });

    it('is waiting while a queue holds it, with or without an earlier agent', () => {
      expect(conversationVerdict(snapshot([customer(), acd()]))).toEqual({ kind: 'waiting', hadAgent: false });
      expect(
        conversationVerdict(
          snapshot([
            customer(),
            acd('disconnected'),
            agent('a1', 'disconnected', { disconnectType: 'transfer' }),
            acd(),
          ]),
        ),
      ).toEqual({ kind: 'waiting', hadAgent: true });
    });

    it('is ended when an agent had it and nobody holds it any more', () => {
      expect(conversationVerdict(snapshot([customer(), acd('disconnected'), agent('a1', 'disconnected')]))).toEqual({
        kind: 'ended',
        wrapup: undefined,
      });
    });

    it('is still waiting while the inbound flow runs (no queue, no agent yet)', () => {
      expect(conversationVerdict(snapshot([customer()]))).toEqual({ kind: 'waiting', hadAgent: false });
    });
  });
});
