import type { ChatEvent, ChatSession, GuestChatResumeData } from '../../src/genesys/handoffProvider';
import type { GuestChatProvider } from '../../src/genesys/guestChat/guestChatProvider';
import type { GuestChatSimulator } from '../../src/simulator/guestChat/guestChatSimulator';
import {
  agentBarrier,
  createProvider,
  EventRecorder,
  rejection,
  settle,
  startRequest,
  startSimulator,
  streamClosed,
} from './guestChatSupport';
import { emojiHeavyText, expectExactSplit } from '../support/textSplitting';

function guestResumeData(session: ChatSession): GuestChatResumeData {
  const data = session.resumeData;
  if (data.provider !== 'guestchat') throw new Error('not a guest chat');
  return data;
}

describe('GuestChatProvider against the Guest Chat simulator', () => {
  let sim: GuestChatSimulator;
  let provider: GuestChatProvider;
  let rec: EventRecorder;

  beforeEach(async () => {
    sim = await startSimulator({ queues: ['Support', 'Escalations'] });
    provider = createProvider(sim);
    rec = new EventRecorder();
  });

  afterEach(async () => {
    await provider.close();
    await sim.stop();
  });

  async function startWithAgent(
    name = 'Alice Agent',
  ): Promise<{ session: ChatSession; conversationId: string; agentId: string }> {
    const session = await provider.startChat(startRequest(), rec.listener);
    const { conversationId } = guestResumeData(session);
    const agent = sim.agentJoin(conversationId, { displayName: name });
    await rec.waitFor((e) => e.kind === 'agentJoined');
    return { session, conversationId, agentId: agent.id };
  }

  describe('activation', () => {
    it('attaches the event stream before sending anything, emits queued, then sends the introduction', async () => {
      const session = await provider.startChat(startRequest(), rec.listener);
      const { conversationId, memberId } = guestResumeData(session);

      const conversation = sim.conversation(conversationId);
      expect(conversation.state).toBe('active');
      const guestCalls = sim.requests.filter((r) => r.conversationId === conversationId);
      expect(guestCalls.length).toBeGreaterThan(0);
      // Every call on the conversation came after its stream was attached, and none was refused.
      for (const call of guestCalls) {
        expect(call.streamAttached).toBe(true);
        expect(call.status).toBeLessThan(300);
      }
      const guestMessages = conversation.messages.filter((m) => m.sender.id === memberId && m.bodyType === 'standard');
      expect(guestMessages.map((m) => m.body)).toEqual([startRequest().introduction]);
      expect(rec.kinds()).toEqual(['queued']);
    });

    it('sends the guest identity, custom fields and routing target', async () => {
      const session = await provider.startChat(startRequest(), rec.listener);
      const conversation = sim.conversation(guestResumeData(session).conversationId);
      expect(conversation.guest).toMatchObject({
        displayName: 'Dana Guest',
        firstName: 'Dana',
        lastName: 'Guest',
        email: 'dana@example.com',
        role: 'CUSTOMER',
      });
      expect(conversation.customFields).toEqual({ botConversationId: 'bot-conv-1', topic: 'billing' });
      expect(conversation.routingTarget).toEqual({
        targetType: 'QUEUE',
        targetAddress: 'Support',
        skills: [],
        language: undefined,
        priority: undefined,
      });
    });

    it("lets a request's routing override the settings", async () => {
      await provider.close();
      provider = createProvider(sim, { skills: ['Billing'], language: 'English', priority: 5 });
      const session = await provider.startChat(
        startRequest({ routing: { queueName: 'Escalations', skills: ['VIP'] } }),
        rec.listener,
      );
      const conversation = sim.conversation(guestResumeData(session).conversationId);
      expect(conversation.routingTarget).toEqual({
        targetType: 'QUEUE',
        targetAddress: 'Escalations',
        skills: ['VIP'],
        language: 'English',
        priority: 5,
      });
    });

    it('splits a 10,000-character message into parts of at most 4,000 characters, in order', async () => {
      const session = await provider.startChat(startRequest({ introduction: '' }), rec.listener);
      const { conversationId, memberId } = guestResumeData(session);
      const words = Array.from({ length: 2_000 }, (_, i) => `w${String(i % 1_000).padStart(3, '0')}`); // 2,000 x 5 - 1 = 9,999 chars
      const text = `${words.join(' ')}!`;
      expect(text.length).toBe(10_000);
      await session.sendText(text);
      const parts = sim
        .conversation(conversationId)
        .messages.filter((m) => m.sender.id === memberId && m.bodyType === 'standard')
        .map((m) => m.body);
      expect(parts).toHaveLength(3);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(4_000);
      expect(parts.join('')).toBe(text);
    });

    it('splits emoji-heavy text exactly, at most 4,000 UTF-16 code units a part, cutting no grapheme cluster', async () => {
      const session = await provider.startChat(startRequest({ introduction: '' }), rec.listener);
      const { conversationId, memberId } = guestResumeData(session);
      const text = emojiHeavyText(300);
      await session.sendText(text);
      const sent = sim.conversation(conversationId).messages.filter((m) => m.sender.id === memberId);
      expectExactSplit(
        text,
        sent.filter((m) => m.bodyType === 'standard').map((m) => m.body),
        4_000,
        'chars',
      );
    });
  });

  describe('agent side', () => {
    it('reports the agent joining with the name Genesys gives, and not the ACD member', async () => {
      const session = await provider.startChat(startRequest(), rec.listener);
      const { conversationId } = guestResumeData(session);
      const agent = sim.agentJoin(conversationId, {
        displayName: 'Alice Agent',
        avatarImageUrl: 'https://example.com/a.png',
        viaAcd: true,
      });
      const joined = await rec.waitFor((e) => e.kind === 'agentJoined');
      expect(joined).toEqual({
        kind: 'agentJoined',
        agent: { id: agent.id, name: 'Alice Agent', avatarUrl: 'https://example.com/a.png' },
      });
      sim.agentSend(conversationId, 'barrier');
      await rec.waitFor((e) => e.kind === 'agentMessage');
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'agentMessage']);
    });

    it('relays messages both ways and ignores the echo of its own messages', async () => {
      // Even when the guest's own member record cannot be read, its echo is recognised by id.
      sim.once('conversationStarted', (c) => {
        sim.injectFault({ status: 503, times: 1_000, method: 'GET', pathIncludes: `/members/${c.guest.id}` });
      });
      const { session, conversationId, agentId } = await startWithAgent();
      const said = sim.agentSend(conversationId, 'Hi Dana, how can I help?');
      const received = await rec.waitFor((e) => e.kind === 'agentMessage');
      expect(received).toEqual({
        kind: 'agentMessage',
        id: said.id,
        text: 'Hi Dana, how can I help?',
        time: said.timestamp,
        agent: { id: agentId, name: 'Alice Agent' },
        attachments: [],
      });

      await session.sendText('My invoice is wrong');
      const atGenesys = await sim.waitForGuestMessage(conversationId, (m) => m.body === 'My invoice is wrong');
      expect(atGenesys.bodyType).toBe('standard');

      sim.agentSend(conversationId, 'Let me check.', { bodyType: 'notice' });
      await rec.waitForCount('agentMessage', 2);
      await agentBarrier(sim, rec, conversationId);
      expect(rec.ofKind('agentMessage').map((e) => e.text)).toEqual([
        'Hi Dana, how can I help?',
        'Let me check.',
        'barrier',
      ]);
      sim.clearFaults();
    });

    it('relays typing both ways and throttles the guest typing', async () => {
      const { session, conversationId } = await startWithAgent();
      sim.agentTyping(conversationId);
      expect(await rec.waitFor((e) => e.kind === 'agentTyping')).toEqual({ kind: 'agentTyping', durationMs: 4_000 });

      const typed: string[] = [];
      sim.on('guestTyping', ({ conversationId: id }) => typed.push(id));
      await session.sendTyping();
      await session.sendTyping();
      await agentBarrier(sim, rec, conversationId);
      expect(typed).toEqual([conversationId]);
      // The guest's own typing echo is not reported as the agent typing.
      expect(rec.ofKind('agentTyping')).toHaveLength(1);
    });

    it('reports a transfer as agentLeft with transfer, then the new agent', async () => {
      const { conversationId, agentId } = await startWithAgent('Alice Agent');
      const bob = sim.transfer(conversationId, 'Bob Agent');
      await rec.waitForCount('agentJoined', 2);
      const left = rec.ofKind('agentLeft');
      expect(left).toEqual([{ kind: 'agentLeft', agent: { id: agentId, name: 'Alice Agent' }, transfer: true }]);
      expect(rec.ofKind('agentJoined')[1]).toEqual({ kind: 'agentJoined', agent: { id: bob.id, name: 'Bob Agent' } });
      sim.agentSend(conversationId, 'Bob here');
      const message = await rec.waitFor((e) => e.kind === 'agentMessage');
      expect(message).toMatchObject({ text: 'Bob here', agent: { name: 'Bob Agent' } });
      expect(rec.ofKind('ended')).toEqual([]);
    });

    it('reports an agent leaving while the guest stays as a transfer (the chat waits for another agent)', async () => {
      const { conversationId } = await startWithAgent();
      sim.agentLeave(conversationId);
      await rec.waitFor((e) => e.kind === 'agentLeft');
      // No agent is left to write a barrier: the next agent joining is the barrier.
      await sim.whenIdle();
      sim.agentJoin(conversationId, { displayName: 'Bob Agent' });
      await rec.waitForCount('agentJoined', 2);
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'agentLeft', 'agentJoined']);
      expect(rec.ofKind('agentLeft')[0]?.transfer).toBe(true);
    });

    it('reports the agent ending the chat as ended (agentEnded), once, without a transfer', async () => {
      const { conversationId } = await startWithAgent();
      sim.endConversation(conversationId);
      expect(await rec.waitFor((e) => e.kind === 'ended')).toEqual({ kind: 'ended', reason: 'agentEnded' });
      await streamClosed(sim, conversationId);
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'ended']);
    });

    it('ignores duplicate member-change CONNECTED frames', async () => {
      sim.setDuplicateMemberChange(true);
      const { conversationId } = await startWithAgent();
      sim.repeatAgentConnected(conversationId);
      sim.repeatAgentConnected(conversationId);
      sim.agentSend(conversationId, 'barrier');
      await rec.waitFor((e) => e.kind === 'agentMessage');
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'agentMessage']);
    });

    it('delivers a re-delivered message only once', async () => {
      const { conversationId } = await startWithAgent();
      const first = sim.agentSend(conversationId, 'only once');
      sim.redeliver(conversationId, first.id);
      sim.redeliver(conversationId, first.id);
      sim.agentSend(conversationId, 'barrier');
      await rec.waitFor((e) => e.kind === 'agentMessage' && e.text === 'barrier');
      expect(rec.ofKind('agentMessage').map((e) => e.text)).toEqual(['only once', 'barrier']);
    });

    it('ignores malformed frames, heartbeats and unknown topics', async () => {
      const { conversationId } = await startWithAgent();
      const junk = [
        'not json at all',
        '[]',
        'null',
        '{"topicName":42}',
        '{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}',
        '{"topicName":"v2.users.someone.presence","eventBody":{}}',
        `{"topicName":"v2.conversations.chats.${conversationId}.messages","eventBody":{"id":"x","sender":{"id":"y"},"body":"z","bodyType":"bogus","timestamp":"t"},"metadata":{"type":"message"}}`,
        `{"topicName":"v2.conversations.chats.${conversationId}.members","eventBody":{"member":{"id":"q"}},"metadata":{"type":"member-change"}}`,
        `{"topicName":"v2.conversations.chats.other-conversation.messages","eventBody":{"id":"o","sender":{"id":"y"},"body":"z","bodyType":"standard","timestamp":"t"},"metadata":{"type":"message"}}`,
      ];
      for (const frame of junk) sim.sendRawFrame(conversationId, frame);
      sim.agentSend(conversationId, 'still here');
      await rec.waitFor((e) => e.kind === 'agentMessage');
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'agentMessage']);
    });

    it('delivers events one at a time, in order, and survives a throwing listener', async () => {
      const { conversationId } = await startWithAgent();
      const log: string[] = [];
      let active = 0;
      let overlapped = false;
      rec.before = async (event: ChatEvent) => {
        if (event.kind !== 'agentMessage') return;
        active++;
        if (active > 1) overlapped = true;
        log.push(event.text);
        await settle(15);
        active--;
        if (event.text === 'm1') throw new Error('listener bug');
      };
      for (let i = 1; i <= 5; i++) sim.agentSend(conversationId, `m${i}`);
      await rec.waitFor((e) => e.kind === 'agentMessage' && e.text === 'm5');
      expect(log).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(overlapped).toBe(false);
      // m1's listener threw: it is not recorded, but the chat went on.
      expect(rec.ofKind('agentMessage').map((e) => e.text)).toEqual(['m2', 'm3', 'm4', 'm5']);
    });
  });

  describe('guest end', () => {
    it('ends the chat, emits ended (guestEnded) once, and treats later calls as over', async () => {
      const { session, conversationId } = await startWithAgent();
      await session.end();
      expect(rec.ofKind('ended')).toEqual([{ kind: 'ended', reason: 'guestEnded' }]);
      const ended = await sim.waitForEnd(conversationId);
      expect(ended.endedBy).toBe('guest');
      expect(ended.guest.state).toBe('DISCONNECTED');
      await streamClosed(sim, conversationId);
      expect(rec.kinds()).toEqual(['queued', 'agentJoined', 'ended']);

      // The chat is over: a second end is a no-op, sending is refused.
      await session.end();
      expect((await rejection(session.sendText('hello?'))).code).toBe('conversationState');
      const data = guestResumeData(session);
      await expect(provider.endDetached(data)).resolves.toBeUndefined();
      const refused = await rejection(provider.sendDetached(data, 'anyone?'));
      expect(refused.code).toBe('conversationState');
      expect(refused.genesysCode).toBe('chat.error.conversation.state');
      expect(refused.status).toBe(400);
    });
  });

  describe('reconnect and resume', () => {
    it('reconnects after a drop and backfills missed agent messages in order, without duplicates', async () => {
      const { session, conversationId } = await startWithAgent();
      sim.agentSend(conversationId, 'one');
      await rec.waitFor((e) => e.kind === 'agentMessage');

      sim.dropConnections(conversationId);
      expect(sim.conversation(conversationId).connectedSockets).toBe(0);
      sim.agentSend(conversationId, 'two'); // no socket attached: only in history
      sim.agentSend(conversationId, 'three');
      await rec.waitForCount('agentMessage', 3);

      sim.agentSend(conversationId, 'four'); // live again
      await rec.waitForCount('agentMessage', 4);
      await agentBarrier(sim, rec, conversationId, 'five');
      expect(rec.ofKind('agentMessage').map((e) => e.text)).toEqual(['one', 'two', 'three', 'four', 'five']);
      expect(rec.ofKind('agentJoined')).toHaveLength(1);
      expect(sim.conversation(conversationId).connectedSockets).toBe(1);
      await session.sendText('back online');
      await sim.waitForGuestMessage(conversationId, (m) => m.body === 'back online');
      const backfills = sim.requests.filter(
        (r) => r.conversationId === conversationId && r.method === 'GET' && r.path.endsWith('/messages'),
      );
      expect(backfills.length).toBeGreaterThan(0);
    });

    it('reports an end that happened while the link was down', async () => {
      const { conversationId } = await startWithAgent();
      sim.dropConnections(conversationId);
      sim.endConversation(conversationId);
      expect(await rec.waitFor((e) => e.kind === 'ended')).toEqual({ kind: 'ended', reason: 'agentEnded' });
    });

    it('resumes a detached chat: re-learns the agent and replays only what was not delivered', async () => {
      const { session, conversationId, agentId } = await startWithAgent();
      sim.agentSend(conversationId, 'one');
      const one = await rec.waitFor((e) => e.kind === 'agentMessage');
      if (one.kind !== 'agentMessage') throw new Error('unreachable');
      const data = guestResumeData(session);
      await session.detach();
      sim.agentSend(conversationId, 'two');
      sim.agentSend(conversationId, 'three');
      await streamClosed(sim, conversationId);
      expect(rec.ofKind('agentMessage')).toHaveLength(1); // detached: nothing more

      const other = createProvider(sim);
      const rec2 = new EventRecorder();
      try {
        const resumed = await other.resumeChat(
          data,
          { deliveredMessageIds: [one.id], lastDeliveredAt: one.time },
          rec2.listener,
        );
        expect(rec2.ofKind('agentMessage').map((e) => [e.text, e.agent])).toEqual([
          ['two', { id: agentId, name: 'Alice Agent' }],
          ['three', { id: agentId, name: 'Alice Agent' }],
        ]);
        sim.agentSend(conversationId, 'four');
        await rec2.waitForCount('agentMessage', 3);
        await agentBarrier(sim, rec2, conversationId);
        expect(rec2.kinds()).toEqual(['agentMessage', 'agentMessage', 'agentMessage', 'agentMessage']);
        await resumed.sendText('resumed and talking');
        await sim.waitForGuestMessage(conversationId, (m) => m.body === 'resumed and talking');
      } finally {
        await other.close();
      }
    });

    it('resuming a chat that ended meanwhile reports the end', async () => {
      const { session, conversationId } = await startWithAgent();
      const data = guestResumeData(session);
      await session.detach();
      sim.endConversation(conversationId);
      const rec2 = new EventRecorder();
      await provider.resumeChat(data, { deliveredMessageIds: [] }, rec2.listener);
      expect(await rec2.waitFor((e) => e.kind === 'ended')).toEqual({ kind: 'ended', reason: 'agentEnded' });
    });

    it('sends and ends detached chats with the stored JWT alone', async () => {
      const { session, conversationId } = await startWithAgent();
      const data = guestResumeData(session);
      await session.detach();
      await provider.sendDetached(data, 'from another instance');
      await sim.waitForGuestMessage(conversationId, (m) => m.body === 'from another instance');
      await provider.endDetached(data);
      expect((await sim.waitForEnd(conversationId)).endedBy).toBe('guest');
      await streamClosed(sim, conversationId);
      expect(rec.ofKind('ended')).toEqual([]); // detached sessions emit nothing
    });

    it('close() detaches every session without ending the chats', async () => {
      const { conversationId } = await startWithAgent();
      await provider.close();
      await streamClosed(sim, conversationId);
      expect(sim.conversation(conversationId).state).toBe('active');
      expect(sim.conversation(conversationId).connectedSockets).toBe(0);
      expect(rec.ofKind('ended')).toEqual([]);
    });
  });
});
