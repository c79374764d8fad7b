import { WebSocket } from 'ws';
import { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import { eventually } from '../support/eventually';

/**
 * The Web Messaging simulator's Platform API side (docs/genesys-protocol.md §5.17), driven over
 * plain HTTP and a websocket as any client would: client-credentials tokens, a notifications channel
 * with heartbeats, the queue topic as a conversation is routed, accepted and ended, and the Users API.
 */

const DEPLOYMENT = 'f00dcafe-0000-4000-8000-000000000001';
const QUEUE = 'f00dcafe-0000-4000-8000-0000000000a1';
const TOPIC = `v2.routing.queues.${QUEUE}.conversations.messages`;

interface Frame {
  topicName: string;
  eventBody: { id?: string; message?: string; participants?: Record<string, unknown>[] };
}

describe('Web Messaging simulator: Platform API side', () => {
  let sim: WebMessagingSimulator;

  beforeAll(async () => {
    sim = new WebMessagingSimulator({
      deployments: [{ id: DEPLOYMENT, conversationDisconnect: 'Send', queueId: QUEUE }],
      queues: [{ id: QUEUE, name: 'Support' }],
      platform: {
        clients: [{ clientId: 'cid', clientSecret: 'secret' }],
        users: [{ id: 'user-1', name: 'Anna Example' }],
        notifications: { heartbeatMs: 50 },
      },
    });
    await sim.start();
  });

  afterAll(async () => {
    await sim.stop();
  });

  async function token(secret = 'secret'): Promise<Response> {
    return fetch(`${sim.apiUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`cid:${secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  }

  async function bearer(): Promise<string> {
    const answer = (await (await token()).json()) as { access_token: string };
    return answer.access_token;
  }

  it('issues tokens to known clients only and requires one on API calls', async () => {
    expect((await token('wrong')).status).toBe(401);
    const ok = await token();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'bearer', expires_in: 86_400 });
    expect((await fetch(`${sim.apiUrl}/api/v2/users/user-1`)).status).toBe(401);
  });

  it('answers the Users API', async () => {
    const auth = { Authorization: `Bearer ${await bearer()}` };
    const user = await fetch(`${sim.apiUrl}/api/v2/users/user-1`, { headers: auth });
    expect(await user.json()).toMatchObject({ id: 'user-1', name: 'Anna Example' });
    expect((await fetch(`${sim.apiUrl}/api/v2/users/nobody`, { headers: auth })).status).toBe(404);
  });

  it('streams heartbeats and the queue topic as a conversation is routed, accepted and ended', async () => {
    const auth = { Authorization: `Bearer ${await bearer()}`, 'Content-Type': 'application/json' };
    const channel = (await (
      await fetch(`${sim.apiUrl}/api/v2/notifications/channels`, { method: 'POST', headers: auth, body: '{}' })
    ).json()) as { id: string; connectUri: string };
    const frames: Frame[] = [];
    const ws = new WebSocket(channel.connectUri);
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Frame));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const subscribed = await fetch(`${sim.apiUrl}/api/v2/notifications/channels/${channel.id}/subscriptions`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify([{ id: TOPIC }]),
    });
    expect(await subscribed.json()).toEqual({ entities: [{ id: TOPIC, state: 'Permitted' }] });
    await eventually(() => frames.some((f) => f.topicName === 'channel.metadata'));
    expect(frames.find((f) => f.topicName === 'channel.metadata')?.eventBody.message).toBe('WebSocket Heartbeat');

    // A guest starts a conversation with custom attributes.
    const guest = new WebSocket(`${sim.webMessagingUrl}?deploymentId=${DEPLOYMENT}`);
    await new Promise((resolve) => guest.once('open', resolve));
    const send = (frame: unknown): void => {
      guest.send(JSON.stringify(frame));
    };
    send({ action: 'configureSession', token: 'guest-1', deploymentId: DEPLOYMENT, tracingId: 't1' });
    send({
      action: 'onMessage',
      token: 'guest-1',
      tracingId: 't2',
      message: { type: 'Text', text: 'hello', channel: { metadata: { customAttributes: { botHandoffId: 'h-1' } } } },
    });
    const conversation = await sim.waitForConversation();
    const queueEvents = (): Frame[] =>
      frames.filter((f) => f.topicName === TOPIC && f.eventBody.id === conversation.id);
    await eventually(() => queueEvents().length >= 1);
    const routed = queueEvents()[0]?.eventBody.participants ?? [];
    expect(routed).toEqual([
      expect.objectContaining({ purpose: 'customer', state: 'connected', attributes: { botHandoffId: 'h-1' } }),
      expect.objectContaining({
        purpose: 'acd',
        state: 'connected',
        queue: expect.objectContaining({ id: QUEUE }) as unknown,
      }),
    ]);

    // The agent is offered the chat (alerting, no connectedTime), then connected.
    sim.agentJoin(conversation.id, { displayName: 'Anna', id: 'user-1' });
    await eventually(() => queueEvents().length >= 3);
    const [, offered, accepted] = queueEvents().map((f) => f.eventBody.participants ?? []);
    const agentIn = (participants: Record<string, unknown>[] | undefined): Record<string, unknown> | undefined =>
      participants?.find((p) => p.purpose === 'agent');
    expect(agentIn(offered)).toMatchObject({ state: 'alerting', user: { id: 'user-1' } });
    expect(agentIn(offered)).not.toHaveProperty('connectedTime');
    expect(agentIn(accepted)).toMatchObject({ state: 'connected', connectedTime: expect.any(String) as unknown });
    expect(accepted?.find((p) => p.purpose === 'acd')).toMatchObject({ state: 'disconnected' });

    // The agent leaves: disconnected by the client, into after-call work; the customer is gone too.
    sim.agentLeave(conversation.id);
    await eventually(() => queueEvents().length >= 4);
    const ended = queueEvents()[3]?.eventBody.participants;
    expect(agentIn(ended)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
      startAcwTime: expect.any(String) as unknown,
    });
    expect(ended?.find((p) => p.purpose === 'customer')).toMatchObject({ state: 'disconnected' });
    expect(sim.platformStats.queueEvents).toBe(4);
    guest.close();
    ws.close();
  });
});
