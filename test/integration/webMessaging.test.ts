import WebSocket from 'ws';
import { GenesysError } from '../../src/genesys/genesysError';
import { parseHistoryPage, parseServerFrame } from '../../src/genesys/webMessaging/frames';
import type { ChatSession, StartChatRequest } from '../../src/genesys/handoffProvider';
import { LEFT_NOTICE_TEXT } from '../../src/genesys/webMessaging/webMessagingSession';
import type { WebMessagingProvider } from '../../src/genesys/webMessaging/webMessagingProvider';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { barrier, eventually, EventRecorder, longText, providerFor, sleep } from './webMessagingSupport';
import { emojiHeavyText, expectExactSplit } from '../support/textSplitting';

const DEP = 'dep-main';
const DEP_DISCONNECT = 'dep-disconnect';
const DEP_NO_CLEAR = 'dep-no-clear';
const DEP_ORIGIN = 'dep-origin';

function request(
  introduction = 'Hello, I need help with my order.',
  attributes: Record<string, string> = { botConversationId: 'c-1' },
): StartChatRequest {
  return { guest: { displayName: 'Ada' }, attributes, introduction };
}

describe('Web Messaging provider against the simulator', () => {
  let sim: WebMessagingSimulator;
  const providers: WebMessagingProvider[] = [];

  function provider(deploymentId = DEP, overrides: Parameters<typeof providerFor>[2] = {}): WebMessagingProvider {
    const p = providerFor(sim, deploymentId, overrides);
    providers.push(p);
    return p;
  }

  async function started(
    deploymentId = DEP,
    overrides: Parameters<typeof providerFor>[2] = {},
    intro?: string,
  ): Promise<{
    session: ChatSession;
    events: EventRecorder;
    conversation: SimulatedConversationInfo;
    provider: WebMessagingProvider;
  }> {
    const p = provider(deploymentId, overrides);
    const events = new EventRecorder();
    const session = await p.startChat(request(intro), events.listener);
    const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
    const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
    return { session, events, conversation, provider: p };
  }

  beforeEach(async () => {
    sim = new WebMessagingSimulator({
      deployments: [
        { id: DEP, conversationClear: true, showUserTypingIndicator: true },
        { id: DEP_DISCONNECT, conversationDisconnect: 'Send', conversationClear: true },
        { id: DEP_NO_CLEAR, conversationClear: false },
        { id: DEP_ORIGIN, allowedOrigins: ['https://shop.example.com'] },
      ],
    });
    await sim.start();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await sim.stop();
  });

  it('starts a chat: queued, the introduction arrives, attributes become participant data', async () => {
    const { events, conversation } = await started();
    expect(events.kinds()[0]).toBe('queued');
    expect(conversation.messages.map((m) => m.text)).toEqual(['Hello, I need help with my order.']);
    expect(conversation.messages[0]!.direction).toBe('Inbound');
    expect(conversation.customAttributes).toEqual({ botConversationId: 'c-1' });
  });

  it('drops whole custom attributes that do not fit 2,048 bytes and still sends the message', async () => {
    const p = provider();
    const events = new EventRecorder();
    const attributes = { first: 'keep me', huge: 'x'.repeat(3000), last: 'keep me too' };
    const session = await p.startChat(request('hi', attributes), events.listener);
    const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
    const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
    expect(conversation.customAttributes).toEqual({ first: 'keep me', last: 'keep me too' });
    expect(conversation.messages.map((m) => m.text)).toEqual(['hi']);
  });

  it('relays agent messages with the agent name, avatar and attachments; agentJoined comes first', async () => {
    const { events, conversation } = await started();
    sim.agentJoin(conversation.id, { displayName: 'Grace', avatarImageUrl: 'https://cdn.example.com/grace.png' });
    sim.agentSend(conversation.id, 'Hi Ada, I am Grace.');
    sim.agentSendAttachment(
      conversation.id,
      'https://files.example.com/invoice.pdf',
      'invoice.pdf',
      'application/pdf',
      'Your invoice',
    );
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length === 2, 5000, 'two agent messages');
    const joined = await events.next('agentJoined');
    expect(joined.agent).toEqual({ name: 'Grace', avatarUrl: 'https://cdn.example.com/grace.png' });
    expect(events.kinds()).toEqual(['queued', 'agentJoined', 'agentMessage', 'agentMessage']);
    const messages = events.events.flatMap((e) => (e.kind === 'agentMessage' ? [e] : []));
    expect(messages[0]!.text).toBe('Hi Ada, I am Grace.');
    expect(messages[0]!.agent.name).toBe('Grace');
    expect(messages[1]!.attachments).toEqual([
      { url: 'https://files.example.com/invoice.pdf', name: 'invoice.pdf', contentType: 'application/pdf' },
    ]);
  });

  it('delivers bot-flow messages without announcing an agent, then announces the human agent', async () => {
    const { events, conversation } = await started();
    sim.agentSend(conversation.id, 'All agents are busy, please hold.', { originatingEntity: 'Bot' });
    await events.until((e) => e.some((x) => x.kind === 'agentMessage'));
    expect(events.kinds()).toEqual(['queued', 'agentMessage']);
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'Hello!');
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length === 2);
    expect(events.kinds()).toEqual(['queued', 'agentMessage', 'agentJoined', 'agentMessage']);
  });

  it('sends guest messages and never reports its own echo as an agent message', async () => {
    const { session, events, conversation } = await started();
    await session.sendText('Where is my parcel?');
    const info = sim.conversation(conversation.id);
    expect(info.messages.map((m) => m.text)).toEqual(['Hello, I need help with my order.', 'Where is my parcel?']);
    await barrier(sim, events, conversation.id);
    expect(events.kinds()).toEqual(['queued', 'agentMessage']);
    expect(events.texts).toEqual(['barrier']);
  });

  it('sends typing at most once per interval, and relays agent typing with its duration', async () => {
    const { session, events, conversation } = await started();
    let guestTyping = 0;
    sim.on('guestTyping', () => {
      guestTyping++;
    });
    await session.sendTyping();
    await session.sendTyping();
    await session.sendTyping();
    await sim.waitUntil(() => (guestTyping >= 1 ? true : undefined));
    // A text message after the typing calls proves the extra typing frames would have arrived by now.
    await session.sendText('typing done');
    expect(guestTyping).toBe(1);

    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    expect(sim.agentTyping(conversation.id)).toBe(true);
    const typing = await events.next('agentTyping');
    expect(typing.durationMs).toBe(5000);
    expect(events.kinds()).toEqual(['queued', 'agentJoined', 'agentTyping']);
  });

  it('reports the agent ending the chat when Conversation Disconnect is enabled', async () => {
    const { events, conversation } = await started(DEP_DISCONNECT);
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'Bye now');
    sim.agentLeave(conversation.id);
    const ended = await events.next('ended');
    expect(ended.reason).toBe('agentEnded');
    expect(events.kinds()).toEqual(['queued', 'agentJoined', 'agentMessage', 'ended']);
  });

  it('ends from the guest side with Presence Clear', async () => {
    const { session, events, conversation } = await started(DEP);
    await session.end();
    const ended = await events.next('ended');
    expect(ended.reason).toBe('guestEnded');
    const info = await sim.waitUntil(() => {
      const c = sim.findConversation(conversation.id);
      return c?.state === 'ended' ? c : undefined;
    });
    expect(info.endReason).toBe('cleared');
    expect(events.kinds().filter((k) => k === 'ended')).toHaveLength(1);
  });

  it('falls back to a notice when Conversation Clear is disabled', async () => {
    const { session, events, conversation } = await started(DEP_NO_CLEAR);
    await session.end();
    expect((await events.next('ended')).reason).toBe('guestEnded');
    const info = sim.conversation(conversation.id);
    expect(info.messages.at(-1)!.text).toBe(LEFT_NOTICE_TEXT);
    // Closing the socket does not end the conversation in Genesys.
    expect(info.state).not.toBe('ended');
    await sim.waitUntil(() => (sim.connectionCount(info.sessionToken) === 0 ? true : undefined));
  });

  it('ends with a notice in notice mode', async () => {
    const { session, events, conversation } = await started(DEP, { endMode: 'notice' });
    await session.end();
    expect((await events.next('ended')).reason).toBe('guestEnded');
    const info = sim.conversation(conversation.id);
    expect(info.messages.at(-1)!.text).toBe(LEFT_NOTICE_TEXT);
    expect(info.state).not.toBe('ended');
  });

  it('splits a 10,000-character message into parts Genesys accepts, losing no words', async () => {
    const { session, conversation } = await started();
    const text = longText(10_000);
    await session.sendText(text);
    const parts = sim
      .conversation(conversation.id)
      .messages.slice(1)
      .map((m) => m.text);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(text);
  });

  it('splits emoji-heavy text with spaces and line breaks exactly, cutting no grapheme cluster', async () => {
    const { session, conversation } = await started();
    const text = emojiHeavyText(300);
    await session.sendText(text);
    const parts = sim.conversation(conversation.id).messages.map((m) => m.text);
    expectExactSplit(text, parts.slice(1), 4096, 'bytes');
  });

  it('retries after 429 without losing or reordering messages', async () => {
    sim.setMessagesPerSecond(2);
    const p = provider(DEP, { messagesPerSecond: 20 });
    const session = await p.startChat(request(''), () => undefined);
    const texts = ['one', 'two', 'three', 'four', 'five'];
    await Promise.all(texts.map((t) => session.sendText(t)));
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    const info = sim.conversations()[0]!;
    expect(info.messages.map((m) => m.text)).toEqual(texts);
  });

  it('reconnects after a drop and backfills messages said meanwhile exactly once, in order', async () => {
    const { events, conversation } = await started(DEP, { reconnectPolicy: (attempt) => (attempt > 50 ? null : 150) });
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'm1');
    await events.until((e) => e.some((x) => x.kind === 'agentMessage'));
    sim.dropConnections(conversation.id);
    // Said while no socket is connected: only in history.
    sim.agentSend(conversation.id, 'm2');
    sim.agentSend(conversation.id, 'm3');
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length >= 3, 5000, 'backfill');
    sim.agentSend(conversation.id, 'm4');
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length >= 4);
    await barrier(sim, events, conversation.id, 'm5');
    expect(events.texts).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(sim.stats.historyRequests).toBeGreaterThan(0);
    const ids = events.events.flatMap((e) => (e.kind === 'agentMessage' ? [e.id] : []));
    expect(new Set(ids).size).toBe(5);
  });

  it('re-sorts out-of-order delivery by time and drops duplicates', async () => {
    const { events, conversation } = await started(DEP, { reorderWindowMs: 300 });
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.setDelivery({ reorder: 'reverse', batchMs: 50, duplicate: true });
    sim.agentSend(conversation.id, 'a');
    sim.agentSend(conversation.id, 'b');
    sim.agentSend(conversation.id, 'c');
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length >= 3);
    // Held and duplicated frames are flushed before the barrier is sent in order, once.
    await sim.whenIdle();
    sim.setDelivery({ reorder: 'none', duplicate: false });
    await barrier(sim, events, conversation.id, 'd');
    expect(events.texts).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ignores malformed and unknown frames and keeps working', async () => {
    const { events, conversation } = await started();
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    for (const garbage of [
      'not json at all',
      'null',
      '[]',
      '{"type":"message"}',
      '{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"no id"}}',
      '{"type":"message","class":"StructuredMessage","code":200,"body":"a string"}',
      '{"type":"message","class":"SessionResponse","code":200,"body":{}}',
      '{"type":"message","class":"SomethingNew","code":200,"body":{"x":1}}',
      '{"type":"message","class":"StructuredMessage","code":200,"body":{"id":"x1","type":"Event","direction":"Outbound","events":[{"eventType":"Typing"}]}}',
    ]) {
      sim.sendRawFrame(conversation.id, garbage);
    }
    sim.agentSend(conversation.id, 'still here');
    await events.until((e) => e.some((x) => x.kind === 'agentMessage'));
    expect(events.texts).toEqual(['still here']);
    expect(events.kinds()).not.toContain('ended');
  });

  it('rejects an unknown deployment with a clear error', async () => {
    const p = provider('no-such-deployment');
    await expect(p.startChat(request(), () => undefined)).rejects.toMatchObject({
      name: 'GenesysError',
      code: 'unknownDeployment',
    });
  });

  it('rejects a refused origin with a clear error', async () => {
    const refused = provider(DEP_ORIGIN, { origin: 'https://evil.example.com' });
    await expect(refused.startChat(request(), () => undefined)).rejects.toMatchObject({ code: 'originNotAllowed' });
    const missing = provider(DEP_ORIGIN);
    await expect(missing.startChat(request(), () => undefined)).rejects.toBeInstanceOf(GenesysError);
    const allowed = provider(DEP_ORIGIN, { origin: 'https://shop.example.com' });
    const session = await allowed.startChat(request(), () => undefined);
    expect(session.resumeData.provider).toBe('webmessaging');
  });

  it('resumes the same conversation with the same token, skipping delivered messages', async () => {
    const { session, events, conversation } = await started();
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'first');
    sim.agentSend(conversation.id, 'second');
    await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length === 2);
    const delivered = events.events.flatMap((e) => (e.kind === 'agentMessage' ? [e] : []));
    await session.detach();
    await sim.waitUntil(() => (sim.connectionCount(conversation.sessionToken) === 0 ? true : undefined));
    sim.agentSend(conversation.id, 'third');

    const other = provider();
    const resumedEvents = new EventRecorder();
    let newSession: boolean | undefined;
    sim.once('sessionConfigured', (e) => {
      newSession = e.newSession;
    });
    const resumed = await other.resumeChat(
      session.resumeData,
      { deliveredMessageIds: delivered.map((m) => m.id), lastDeliveredAt: delivered.at(-1)!.time },
      resumedEvents.listener,
    );
    expect(newSession).toBe(false);
    await resumedEvents.until((e) => e.some((x) => x.kind === 'agentMessage'));
    expect(resumedEvents.texts).toEqual(['third']);
    await resumed.sendText('back again');
    expect(sim.conversations()).toHaveLength(1);
    expect(sim.conversation(conversation.id).messages.at(-1)!.text).toBe('back again');
  });

  it('sends and ends detached from a second provider while the first holds the session', async () => {
    const { session, events, conversation } = await started();
    const other = provider();
    await other.sendDetached(session.resumeData, 'sent by another instance');
    expect(sim.conversation(conversation.id).messages.at(-1)!.text).toBe('sent by another instance');
    await sim.waitUntil(() => (sim.connectionCount(conversation.sessionToken) === 1 ? true : undefined));
    await barrier(sim, events, conversation.id);
    expect(events.kinds()).toEqual(['queued', 'agentMessage']);

    await other.endDetached(session.resumeData);
    // The holder did not ask for the clear: for it the conversation was cleared.
    expect((await events.next('ended')).reason).toBe('cleared');
    // Ending again is a success (the session is gone).
    await expect(other.endDetached(session.resumeData)).resolves.toBeUndefined();
  });

  it('reports an expired session', async () => {
    const { events, conversation } = await started();
    sim.expireSession(conversation.id);
    expect((await events.next('ended')).reason).toBe('expired');
  });

  it('a listener that throws does not stop later events', async () => {
    const p = provider();
    const seen: string[] = [];
    const session = await p.startChat(request(), (event) => {
      seen.push(event.kind);
      if (event.kind === 'agentJoined') throw new Error('listener bug');
    });
    const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
    const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'after the throw');
    await eventually(() => seen.includes('agentMessage'));
    expect(seen).toEqual(['queued', 'agentJoined', 'agentMessage']);
  });
});

describe('Web Messaging simulator protocol', () => {
  let sim: WebMessagingSimulator;

  beforeEach(async () => {
    sim = new WebMessagingSimulator({ deployments: [{ id: DEP }] });
    await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  function openRaw(): Promise<{ ws: WebSocket; frames: unknown[]; raw: string[]; closed: Promise<number> }> {
    const ws = new WebSocket(`${sim.webMessagingUrl}?deploymentId=${DEP}`);
    const frames: unknown[] = [];
    const raw: string[] = [];
    ws.on('message', (data: Buffer) => {
      raw.push(data.toString('utf8'));
      frames.push(JSON.parse(data.toString('utf8')));
    });
    const closed = new Promise<number>((resolve) => {
      ws.on('close', (code) => {
        resolve(code);
      });
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        resolve({ ws, frames, raw, closed });
      });
      ws.once('error', reject);
    });
  }

  async function waitFrames(frames: unknown[], count: number): Promise<void> {
    const deadline = Date.now() + 3000;
    while (frames.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} frames, got ${JSON.stringify(frames)}`);
      await sleep(10);
    }
  }

  it('answers invalid frames with 400 "Request failed." and stays up', async () => {
    const { ws, frames } = await openRaw();
    ws.send('garbage');
    ws.send(JSON.stringify({ action: 'onMessage', tracingId: 't1' }));
    ws.send(JSON.stringify({ action: 'configureSession', token: 'tok', deploymentId: DEP, tracingId: 't2' }));
    await waitFrames(frames, 3);
    expect(frames[0]).toEqual({ type: 'response', class: 'string', code: 400, body: 'Request failed.' });
    expect(frames[1]).toEqual({
      type: 'response',
      class: 'string',
      code: 400,
      body: 'Request failed.',
      tracingId: 't1',
    });
    expect(frames[2]).toMatchObject({
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      tracingId: 't2',
      body: { connected: true, newSession: true },
    });
    ws.close();
  });

  it('rejects over-long text with 4011 and oversized attributes with 4013', async () => {
    const { ws, frames } = await openRaw();
    ws.send(JSON.stringify({ action: 'configureSession', token: 'tok2', deploymentId: DEP, tracingId: 'c' }));
    ws.send(
      JSON.stringify({
        action: 'onMessage',
        token: 'tok2',
        tracingId: 'long',
        message: { type: 'Text', text: 'x'.repeat(5000) },
      }),
    );
    ws.send(
      JSON.stringify({
        action: 'onMessage',
        token: 'tok2',
        tracingId: 'attrs',
        message: { type: 'Text', text: 'hi', channel: { metadata: { customAttributes: { big: 'y'.repeat(2100) } } } },
      }),
    );
    await waitFrames(frames, 3);
    expect(frames[1]).toEqual({
      type: 'response',
      class: 'string',
      code: 4011,
      body: 'Message length 5000 is larger than 4096',
      tracingId: 'long',
    });
    expect(frames[2]).toMatchObject({ code: 4013, tracingId: 'attrs' });
    ws.close();
  });

  it('caps a session at 3 connections: a 4th closes the oldest with ConnectionClosedEvent', async () => {
    const clients = await Promise.all([openRaw(), openRaw(), openRaw(), openRaw()]);
    for (const [i, c] of clients.entries()) {
      c.ws.send(JSON.stringify({ action: 'configureSession', token: 'shared', deploymentId: DEP, tracingId: `c${i}` }));
      await waitFrames(c.frames, 1);
    }
    const oldest = clients[0];
    await oldest.closed;
    expect(oldest.frames).toContainEqual(expect.objectContaining({ class: 'ConnectionClosedEvent' }));
    expect(sim.connectionCount('shared')).toBe(3);
    // Fan-out: a message from one connection is echoed to all remaining ones.
    clients[1].ws.send(
      JSON.stringify({
        action: 'onMessage',
        token: 'shared',
        tracingId: 'm',
        message: { type: 'Text', text: 'hello' },
      }),
    );
    for (const c of clients.slice(1)) await waitFrames(c.frames, 2);
    for (const c of clients.slice(1))
      expect(c.frames[1]).toMatchObject({
        class: 'StructuredMessage',
        tracingId: 'm',
        body: { direction: 'Inbound', text: 'hello' },
      });
    for (const c of clients.slice(1)) c.ws.close();
  });

  it('serves history newest first only with a valid bearer JWT', async () => {
    const { ws, frames, raw } = await openRaw();
    ws.send(JSON.stringify({ action: 'configureSession', token: 'tok3', deploymentId: DEP, tracingId: 'c' }));
    ws.send(
      JSON.stringify({ action: 'onMessage', token: 'tok3', tracingId: 'm', message: { type: 'Text', text: 'first' } }),
    );
    ws.send(JSON.stringify({ action: 'getJwt', token: 'tok3', tracingId: 'j' }));
    await waitFrames(frames, 3);
    const jwtFrame = parseServerFrame(raw[2]!);
    if (!jwtFrame.ok || jwtFrame.frame.kind !== 'jwtResponse') throw new Error(`expected a JwtResponse, got ${raw[2]}`);
    const jwt = jwtFrame.frame.body.jwt;
    const conversation = await sim.waitForConversation();
    sim.agentJoin(conversation.id, { displayName: 'Grace' });
    sim.agentSend(conversation.id, 'second');
    const ok = await fetch(`${sim.apiUrl}/api/v2/webmessaging/messages?pageSize=25&pageNumber=1`, {
      headers: { Authorization: `bearer ${jwt}` },
    });
    expect(ok.status).toBe(200);
    const page = parseHistoryPage(await ok.json());
    expect(page?.entities.map((e) => [e.text, e.direction])).toEqual([
      ['second', 'Outbound'],
      ['first', 'Inbound'],
    ]);
    expect(page?.total).toBe(2);
    const refused = await fetch(`${sim.apiUrl}/api/v2/webmessaging/messages`, {
      headers: { Authorization: 'bearer nope' },
    });
    expect(refused.status).toBe(401);
    ws.close();
  });
});

describe('Web Messaging provider when the link cannot be restored', () => {
  it('reports ended "failed" once reconnecting gives up', async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: DEP }] });
    await sim.start();
    const provider = providerFor(sim, DEP, {
      reconnectPolicy: (attempt) => (attempt > 3 ? null : 20),
      reconnectGiveUpMs: 300,
    });
    const events = new EventRecorder();
    try {
      await provider.startChat(request(), events.listener);
      await sim.stop();
      const ended = await events.next('ended');
      expect(ended.reason).toBe('failed');
      expect(ended.error?.code).toBe('network');
    } finally {
      await provider.close();
    }
  });

  it('refuses to resume or send on a session that no longer exists', async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: DEP, conversationClear: true }] });
    await sim.start();
    const provider = providerFor(sim, DEP);
    try {
      const unknownToResume = { provider: 'webmessaging' as const, token: 'never-configured-1' };
      const unknownToSend = { provider: 'webmessaging' as const, token: 'never-configured-2' };
      await expect(
        provider.resumeChat(unknownToResume, { deliveredMessageIds: [] }, () => undefined),
      ).rejects.toMatchObject({ code: 'sessionExpired' });
      await expect(provider.sendDetached(unknownToSend, 'hello?')).rejects.toMatchObject({ code: 'sessionExpired' });
      // Nothing was created on the Genesys side by these attempts.
      expect(sim.conversations()).toHaveLength(0);
    } finally {
      await provider.close();
      await sim.stop();
    }
  });

  it('drops and restores a link whose echo health check goes unanswered', async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: DEP }] });
    await sim.start();
    const provider = providerFor(sim, DEP, { echoIntervalMs: 100, responseTimeoutMs: 150 });
    const events = new EventRecorder();
    try {
      await provider.startChat(request(), events.listener);
      const conversation = await sim.waitForConversation();
      sim.setAnswerEcho(false);
      await eventually(() => sim.stats.connections >= 2, 5000, 'a new connection after the health check failed');
      sim.setAnswerEcho(true);
      sim.agentJoin(conversation.id, { displayName: 'Grace' });
      sim.agentSend(conversation.id, 'after the stall');
      await events.until((e) => e.some((x) => x.kind === 'agentMessage'));
      expect(events.texts).toEqual(['after the stall']);
      expect(events.kinds()).not.toContain('ended');
    } finally {
      await provider.close();
      await sim.stop();
    }
  });

  it('recovers when extra connections push it out of the 3-connection cap', async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: DEP }] });
    await sim.start();
    const provider = providerFor(sim, DEP);
    const events = new EventRecorder();
    const extras: WebSocket[] = [];
    try {
      const session = await provider.startChat(request(), events.listener);
      const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
      const conversation = await sim.waitForConversation();
      const connectionsBefore = sim.stats.connections;
      for (let i = 0; i < 3; i++) {
        const ws = new WebSocket(`${sim.webMessagingUrl}?deploymentId=${DEP}`);
        ws.on('error', () => undefined);
        await new Promise<void>((resolve) =>
          ws.once('open', () => {
            resolve();
          }),
        );
        ws.send(JSON.stringify({ action: 'configureSession', token, deploymentId: DEP, tracingId: `x${i}` }));
        extras.push(ws);
      }
      // The provider was closed as the oldest connection and reconnected.
      await eventually(() => sim.stats.connections >= connectionsBefore + 4, 5000, 'a reconnect');
      sim.agentJoin(conversation.id, { displayName: 'Grace' });
      sim.agentSend(conversation.id, 'still reachable');
      await events.until((e) => e.some((x) => x.kind === 'agentMessage'));
      expect(events.texts).toEqual(['still reachable']);
      expect(sim.connectionCount(token)).toBeLessThanOrEqual(3);
    } finally {
      for (const ws of extras) ws.terminate();
      await provider.close();
      await sim.stop();
    }
  });
});
