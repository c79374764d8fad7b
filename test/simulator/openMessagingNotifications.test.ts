import { WebSocket } from 'ws';
import { api, getToken, sendText, startRig, type Rig } from './openMessagingSupport';

interface Frame {
  topicName: string;
  eventBody: Record<string, unknown>;
}

/** A notifications socket that records every frame. */
class FrameLog {
  readonly frames: Frame[] = [];
  private readonly waiters: (() => void)[] = [];
  closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        resolve(code);
      }),
    );
  }

  /** Resolves with the first frame matching `predicate`, waiting for it when needed. */
  async next(predicate: (frame: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.topicName))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

describe('Open Messaging simulator: Notifications API (docs/genesys-protocol.md §6.5)', () => {
  let rig: Rig;
  let token: string;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await rig.stop();
  });

  async function openChannel(): Promise<{ id: string; log: FrameLog; expires: string }> {
    const created = await api<{ id: string; connectUri: string; expires: string }>(
      rig.baseUrl,
      token,
      'POST',
      '/api/v2/notifications/channels',
      {},
    );
    expect(created.status).toBe(200);
    expect(created.data.connectUri).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/channels\//);
    const ws = new WebSocket(created.data.connectUri);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    await rig.sim.waitUntil(() => (rig.sim.connectedChannelCount() > 0 ? true : undefined));
    return { id: created.data.id, log: new FrameLog(ws), expires: created.data.expires };
  }

  const subscribe = (channelId: string, topics: string[], method: 'POST' | 'PUT' = 'POST') =>
    api<{ entities: { id: string; state: string }[] }>(
      rig.baseUrl,
      token,
      method,
      `/api/v2/notifications/channels/${channelId}/subscriptions`,
      topics.map((id) => ({ id })),
    );

  async function start(options: Parameters<typeof startRig>[0] = {}): Promise<void> {
    rig = await startRig(options);
    token = await getToken(rig.baseUrl);
  }

  it('creates a channel that expires in 24 h, sends heartbeats and answers ping with pong', async () => {
    await start({ notifications: { heartbeatMs: 50 } });
    const { log, expires } = await openChannel();
    expect(Date.parse(expires) - rig.clock.now).toBe(24 * 3_600_000);
    await log.next((f) => f.topicName === 'channel.metadata' && f.eventBody.message === 'WebSocket Heartbeat');
    log.ws.send(JSON.stringify({ message: 'ping' }));
    await log.next((f) => f.topicName === 'channel.metadata' && f.eventBody.message === 'pong');
  });

  it('restarts the 24 h lifetime when the channel subscribes again', async () => {
    await start();
    const { id } = await openChannel();
    rig.clock.now += 3_600_000;
    await subscribe(id, ['v2.detail.events.conversation.c.user.end']);
    const listed = await api<{ entities: { id: string; expires: string }[] }>(
      rig.baseUrl,
      token,
      'GET',
      '/api/v2/notifications/channels',
    );
    expect(listed.data.entities.find((c) => c.id === id)?.expires).toBe(
      new Date(rig.clock.now + 24 * 3_600_000).toISOString(),
    );
  });

  it('delivers user.start, user.end with a transfer disconnectType, and the customer.end that ends it', async () => {
    await start();
    const conversationId = await sendText(rig, token, 'user-1', 'hi');
    const { id, log } = await openChannel();
    const base = `v2.detail.events.conversation.${conversationId}`;
    const answer = await subscribe(id, [
      `${base}.user.start`,
      `${base}.user.end`,
      `${base}.customer.end`,
      `${base}.acw`,
    ]);
    expect(answer.status).toBe(200);
    expect(answer.data.entities.map((e) => e.state)).toEqual(['Permitted', 'Permitted', 'Permitted', 'Permitted']);

    rig.sim.agentJoin(conversationId, 'Grace');
    const joined = await log.next((f) => f.topicName === `${base}.user.start`);
    expect(joined.eventBody).toMatchObject({
      conversationId,
      mediaType: 'MESSAGE',
      messageType: 'OPEN',
      userId: expect.any(String) as unknown,
    });
    const graceId = String(joined.eventBody.userId);

    rig.sim.agentTransfer(conversationId, { toAgent: 'Linus' });
    const transferred = await log.next((f) => f.topicName === `${base}.user.end`);
    expect(transferred.eventBody).toMatchObject({ userId: graceId, disconnectType: 'TRANSFER' });
    const linus = await log.next((f) => f.topicName === `${base}.user.start` && f.eventBody.userId !== graceId);
    expect(rig.sim.conversation(conversationId)).toMatchObject({ state: 'connected', agent: { name: 'Linus' } });
    expect(log.frames.some((f) => f.topicName === `${base}.customer.end`)).toBe(false);

    rig.sim.agentLeave(conversationId, { disconnectType: 'CLIENT', wrapup: { code: 'Resolved', notes: 'all good' } });
    const ended = await log.next(
      (f) => f.topicName === `${base}.user.end` && f.eventBody.userId === linus.eventBody.userId,
    );
    expect(ended.eventBody).toMatchObject({ disconnectType: 'CLIENT' });
    const acw = await log.next((f) => f.topicName === `${base}.acw`);
    expect(acw.eventBody).toMatchObject({ wrapupCode: 'Resolved', wrapupNotes: 'all good', wrapupDurationMs: 0 });
    const customerEnd = await log.next((f) => f.topicName === `${base}.customer.end`);
    expect(customerEnd.eventBody).toMatchObject({
      conversationId,
      disconnectType: 'PEER',
      externalContactId: 'user-1',
    });
    expect(rig.sim.conversation(conversationId)?.state).toBe('ended');
  });

  it('shows the conversation on the queue topic with lower-case disconnectType, and PUT replaces subscriptions', async () => {
    await start();
    const conversationId = await sendText(rig, token, 'user-2', 'hi');
    const queueId = rig.sim.conversation(conversationId)!.queueId;
    const { id, log } = await openChannel();
    const queueTopic = `v2.routing.queues.${queueId}.conversations.messages`;
    await subscribe(id, [`v2.detail.events.conversation.${conversationId}.user.end`]);
    const replaced = await subscribe(id, [queueTopic, 'v2.made.up.topic'], 'PUT');
    expect(replaced.data.entities).toEqual([
      { id: queueTopic, state: 'Permitted' },
      { id: 'v2.made.up.topic', state: 'Rejected', rejectionReason: 'Topic not found' },
    ]);
    expect(rig.sim.channelTopics(id)).toEqual([queueTopic]);

    rig.sim.agentJoin(conversationId, 'Grace');
    rig.sim.agentLeave(conversationId, { disconnectType: 'TRANSFER' });
    const frame = await log.next(
      (f) =>
        f.topicName === queueTopic &&
        (f.eventBody.participants as { purpose: string; state: string }[]).some(
          (p) => p.purpose === 'agent' && p.state === 'disconnected',
        ),
    );
    const agent = (frame.eventBody.participants as Record<string, unknown>[]).find((p) => p.purpose === 'agent');
    expect(agent).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer',
      startAcwTime: expect.any(String) as unknown,
    });
    expect(rig.sim.queued(queueId).map((c) => c.id)).toEqual([conversationId]);
    expect(log.frames.some((f) => f.topicName.endsWith('.user.end'))).toBe(false);
  });

  it('refuses more than 1,000 topics on one channel', async () => {
    await start();
    const { id } = await openChannel();
    const topics = Array.from({ length: 1000 }, (_, i) => `v2.detail.events.conversation.c${i}.user.end`);
    expect((await subscribe(id, topics)).status).toBe(200);
    const over = await subscribe(id, ['v2.detail.events.conversation.one-more.user.end']);
    expect(over.status).toBe(400);
    expect(rig.sim.channelTopics(id)).toHaveLength(1000);
  });

  it('warns with v2.system.socket_closing before closing, and the channel is gone at expiry', async () => {
    await start({
      notifications: { channelLifetimeMs: 300, socketClosingNoticeMs: 150, subscribeExtendsChannel: false },
    });
    const { id, log } = await openChannel();
    await log.next((f) => f.topicName === 'v2.system.socket_closing');
    await log.closed;
    const head = await api(rig.baseUrl, token, 'HEAD', `/api/v2/notifications/channels/${id}`);
    expect(head.status).toBe(404);
    expect((await subscribe(id, ['v2.detail.events.conversation.c.user.end'])).status).toBe(404);
  });

  it('sends socket_closing on maintenance and closes the socket', async () => {
    await start();
    const { id, log } = await openChannel();
    rig.sim.closeNotificationSockets(10);
    await log.next((f) => f.topicName === 'v2.system.socket_closing');
    expect(await log.closed).toBe(1001);
    expect((await api(rig.baseUrl, token, 'HEAD', `/api/v2/notifications/channels/${id}`)).status).toBe(200);
  });
});
