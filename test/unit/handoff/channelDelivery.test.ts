import { MessageFactory } from 'botbuilder';
import { AGENT_TEXTS } from '../../../src/resources/messages';
import { HandoffParts } from '../../support/handoffParts';

const agentMessage = (id: string, text: string) => ({
  kind: 'agentMessage' as const,
  id,
  text,
  time: new Date().toISOString(),
  agent: { name: 'Anna' },
  attachments: [],
});

describe('ChannelDelivery and the agent → user outcomes', () => {
  it('retries throttling and outages, honouring Retry-After, and reports delivered', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('d-1', 'connected');
    parts.messenger.failures.push(
      { kind: 'transient', status: 429, code: 'Throttled', retryAfterMs: 30 },
      { kind: 'transient', status: 503, code: 'ServiceUnavailable' },
    );
    const outcome = await parts.delivery.send(record.id, record.reference, [MessageFactory.text('hi')], {
      role: 'bot',
    });
    expect(outcome).toEqual({ status: 'delivered' });
    expect(parts.messenger.attempts).toHaveLength(3);
    expect(parts.messenger.texts()).toEqual(['hi']);
  });

  it('gives up after the delivery time limit', async () => {
    const parts = new HandoffParts(undefined, { maxTotalMs: 100, baseDelayMs: 20, maxDelayMs: 40 });
    const { record } = await parts.openChat('d-2', 'connected');
    for (let i = 0; i < 50; i++)
      parts.messenger.failures.push({ kind: 'transient', status: 500, code: 'ServiceError' });
    const outcome = await parts.delivery.send(record.id, record.reference, [MessageFactory.text('hi')], {
      role: 'bot',
    });
    expect(outcome).toMatchObject({ status: 'exhausted', failure: { code: 'ServiceError' } });
    expect(parts.messenger.texts()).toEqual([]);
  });

  it('retries a stale reference on the one the record holds now', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('d-3', 'connected', {
      patch: { reference: { serviceUrl: 'https://old' } },
    });
    await parts.records.update(record.id, (r) => ({ ...r, reference: { ...r.reference, serviceUrl: 'https://new' } }));
    parts.messenger.failures.push({ kind: 'stale', status: 400, code: 'BadArgument' });
    const outcome = await parts.delivery.send(record.id, record.reference, [MessageFactory.text('hi')], {
      role: 'bot',
    });
    expect(outcome).toEqual({ status: 'delivered' });
    expect(parts.messenger.attempts.map((a) => a.serviceUrl)).toEqual(['https://old', 'https://new']);
  });

  it('keeps each conversation in order without holding up another', async () => {
    const parts = new HandoffParts();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = parts.delivery.inOrder('a', async () => {
      await gate;
      order.push('a1');
    });
    const next = parts.delivery.inOrder('a', () => {
      order.push('a2');
      return Promise.resolve();
    });
    await parts.delivery.inOrder('b', () => {
      order.push('b1');
      return Promise.resolve();
    });
    expect(order).toEqual(['b1']);
    release();
    await Promise.all([slow, next]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('ends the chat as userUnreachable when the user is gone, telling the agent and not the user', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('d-4', 'connected');
    parts.messenger.failures.push({ kind: 'gone', status: 403, code: 'BotNotInConversationRoster' });
    await chat.emit(agentMessage('m1', 'are you there?'));
    const record = await parts.record('d-4');
    expect(record).toMatchObject({ state: 'ended', endReason: 'userUnreachable', deliveredMessageIds: [] });
    expect(chat.sent).toEqual([AGENT_TEXTS.userUnreachable]);
    expect(chat.ended).toBe(true);
    expect(parts.messenger.texts()).toEqual([]);
    expect(parts.chats.has(record!.id)).toBe(false);
  });

  it('counts only a delivered message as activity for the idle deadline', async () => {
    const parts = new HandoffParts(undefined, { maxTotalMs: 50, baseDelayMs: 10, maxDelayMs: 20 });
    const { chat, record } = await parts.openChat('d-5', 'connected');
    parts.clock.advance(60_000);
    parts.messenger.failures.push({ kind: 'permanent', status: 413, code: 'MessageSizeTooBig' });
    await chat.emit(agentMessage('m1', 'x'.repeat(10)));
    expect((await parts.record('d-5'))?.idleDeadline).toBe(record.idleDeadline);
    expect((await parts.record('d-5'))?.deliveredMessageIds).toEqual([]);
    await chat.emit(agentMessage('m2', 'taken'));
    expect((await parts.record('d-5'))?.idleDeadline).toBe(parts.clock.now() + 300_000);
  });

  it('drops a refused typing indicator silently', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('d-6', 'connected');
    parts.messenger.typingRefusal = { kind: 'permanent', status: 400, code: 'BadArgument' };
    await chat.emit({ kind: 'agentTyping', durationMs: 3000 });
    expect(parts.messenger.texts()).toEqual([]);
    expect((await parts.record('d-6'))?.state).toBe('connected');
  });
});
