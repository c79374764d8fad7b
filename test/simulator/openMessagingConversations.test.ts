import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, getToken, sendText, startRig, startRigWithToken, type Rig } from './openMessagingSupport';

interface ConversationBody {
  id: string;
  participants: {
    id: string;
    purpose: string;
    state: string;
    userId?: string;
    disconnectType?: string;
    queueId?: string;
  }[];
}

describe('Open Messaging simulator: conversations, participants and users (docs/genesys-protocol.md §6.4, §6.6)', () => {
  let rig: Rig;
  let token: string;

  beforeEach(async () => {
    ({ rig, token } = await startRigWithToken());
  });
  afterEach(() => rig.stop());

  const getConversation = (id: string) =>
    api<ConversationBody>(rig.baseUrl, token, 'GET', `/api/v2/conversations/messages/${id}`);
  const patchParticipant = (conversationId: string, participantId: string, body: unknown) =>
    api(
      rig.baseUrl,
      token,
      'PATCH',
      `/api/v2/conversations/messages/${conversationId}/participants/${participantId}`,
      body,
    );

  it('shows the customer and the queue while waiting, and the agent with a user id that the Users API names', async () => {
    const conversationId = await sendText(rig, token, 'user-1', 'hi');
    const queued = await getConversation(conversationId);
    expect(queued.status).toBe(200);
    expect(queued.data.participants.map((p) => [p.purpose, p.state])).toEqual([
      ['customer', 'connected'],
      ['acd', 'connected'],
    ]);
    rig.sim.agentJoin(conversationId, 'Grace Hopper');
    const connected = await getConversation(conversationId);
    const agent = connected.data.participants.find((p) => p.purpose === 'agent' && p.state === 'connected');
    expect(agent?.userId).toEqual(expect.any(String));
    expect(connected.data.participants.find((p) => p.purpose === 'acd')).toMatchObject({ state: 'disconnected' });
    const user = await api<{ name: string }>(rig.baseUrl, token, 'GET', `/api/v2/users/${agent!.userId!}`);
    expect(user.status).toBe(200);
    expect(user.data.name).toBe('Grace Hopper');
    expect((await api(rig.baseUrl, token, 'GET', '/api/v2/users/nobody')).status).toBe(404);
    expect((await getConversation('no-such-conversation')).status).toBe(404);
  });

  it('takes a queued conversation out of the queue when the customer participant is PATCHed to disconnected', async () => {
    const conversationId = await sendText(rig, token, 'user-2', 'hi');
    const other = await sendText(rig, token, 'user-3', 'me too');
    expect(rig.sim.queued().map((c) => c.id)).toEqual([conversationId, other]);
    const customer = (await getConversation(conversationId)).data.participants.find((p) => p.purpose === 'customer')!;

    expect((await patchParticipant(conversationId, customer.id, { state: 'connected' })).status).toBe(400);
    const answer = await patchParticipant(conversationId, customer.id, { state: 'disconnected' });
    expect(answer.status).toBe(202);

    expect(rig.sim.queued().map((c) => c.id)).toEqual([other]);
    expect(rig.sim.conversation(conversationId)?.state).toBe('ended');
    const after = await getConversation(conversationId);
    expect(after.data.participants.map((p) => [p.purpose, p.state, p.disconnectType])).toEqual([
      ['customer', 'disconnected', 'client'],
      ['acd', 'disconnected', 'client'],
    ]);
    expect(() => rig.sim.agentJoin(conversationId, 'Grace')).toThrow(/ended/);
    // Repeating the PATCH is harmless.
    expect((await patchParticipant(conversationId, customer.id, { state: 'disconnected' })).status).toBe(202);
    expect((await patchParticipant(conversationId, 'no-such-participant', { state: 'disconnected' })).status).toBe(404);
  });

  it('keeps the agent connected when the customer leaves a connected conversation, until the agent leaves', async () => {
    const conversationId = await sendText(rig, token, 'user-4', 'hi');
    rig.sim.agentJoin(conversationId, 'Grace');
    const customer = rig.sim.conversation(conversationId)!.participants.find((p) => p.purpose === 'customer')!;
    expect((await patchParticipant(conversationId, customer.id, { state: 'disconnected' })).status).toBe(202);
    expect(rig.sim.conversation(conversationId)).toMatchObject({ state: 'connected', agent: { name: 'Grace' } });
    expect(() => rig.sim.agentSend(conversationId, 'still there?')).toThrow(/has left/);
    expect(() => {
      rig.sim.agentWrapUp(conversationId, { code: 'Resolved' });
    }).toThrow(/wrap-up/);
    rig.sim.agentLeave(conversationId);
    expect(rig.sim.conversation(conversationId)?.state).toBe('ended');
    rig.sim.agentWrapUp(conversationId, { code: 'Resolved', notes: 'customer left first' });
    const agent = (await getConversation(conversationId)).data.participants.find((p) => p.purpose === 'agent');
    expect(agent).toMatchObject({ wrapup: { code: 'Resolved', notes: 'customer left first' } });
  });

  it('stores participant data PATCHed after the start', async () => {
    const conversationId = await sendText(rig, token, 'user-5', 'hi');
    const customer = rig.sim.conversation(conversationId)!.participants.find((p) => p.purpose === 'customer')!;
    const path = `/api/v2/conversations/messages/${conversationId}/participants/${customer.id}/attributes`;
    expect((await api(rig.baseUrl, token, 'PATCH', path, { attributes: { caseId: '42' } })).status).toBe(200);
    expect((await api(rig.baseUrl, token, 'PATCH', path, { attributes: { nested: { a: 1 } } })).status).toBe(400);
    expect(rig.sim.conversation(conversationId)?.participants.find((p) => p.id === customer.id)?.attributes).toEqual({
      caseId: '42',
    });
  });

  it('ends a conversation from the Genesys side with the chosen disconnectType', async () => {
    const conversationId = await sendText(rig, token, 'user-6', 'hi');
    rig.sim.agentJoin(conversationId, 'Grace');
    rig.sim.endConversation(conversationId, { disconnectType: 'INACTIVITY' });
    const body = (await getConversation(conversationId)).data;
    expect(body.participants.filter((p) => p.state !== 'disconnected')).toEqual([]);
    expect(body.participants.find((p) => p.purpose === 'customer')?.disconnectType).toBe('inactivity');
    expect(rig.sim.agents()).toEqual([expect.objectContaining({ name: 'Grace', activeConversations: 0 })]);
  });
});

describe('Open Messaging simulator: the unknowns of §6.6 are options', () => {
  it('keeps a queued conversation routing after the customer PATCH when customerDisconnectCancelsRouting is off', async () => {
    const { rig, token } = await startRigWithToken({ customerDisconnectCancelsRouting: false });
    try {
      const conversationId = await sendText(rig, token, 'user-9', 'hi');
      const customer = rig.sim.conversation(conversationId)!.participants.find((p) => p.purpose === 'customer')!;
      const path = `/api/v2/conversations/messages/${conversationId}/participants/${customer.id}`;
      expect((await api(rig.baseUrl, token, 'PATCH', path, { state: 'disconnected' })).status).toBe(202);
      expect(rig.sim.queued().map((c) => c.id)).toEqual([conversationId]);
    } finally {
      await rig.stop();
    }
  });
});

describe('Open Messaging simulator: trigger targets and the auto-answering agent (docs/genesys-protocol.md §6.5, §6.9)', () => {
  it('POSTs customer.end to a trigger target with its shared secret header', async () => {
    const calls: { headers: IncomingHttpHeaders; body: { topicName: string; eventBody: Record<string, unknown> } }[] =
      [];
    const target = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        calls.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof calls)[number]['body'],
        });
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/api/genesys/openmessaging/events`;
    const rig = await startRig({
      triggers: [{ url, secretHeader: 'x-push-secret', secret: 's3cret', topics: ['customer.end'] }],
    });
    try {
      const token = await getToken(rig.baseUrl);
      const conversationId = await sendText(rig, token, 'user-7', 'hi');
      rig.sim.agentJoin(conversationId, 'Grace');
      rig.sim.agentLeave(conversationId);
      await rig.sim.whenIdle();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.headers['x-push-secret']).toBe('s3cret');
      expect(calls[0]!.body).toMatchObject({
        topicName: `v2.detail.events.conversation.${conversationId}.customer.end`,
        eventBody: { conversationId, disconnectType: 'PEER' },
      });
      expect(rig.sim.stats.triggerDeliveries).toBe(1);
    } finally {
      await rig.stop();
      target.closeAllConnections();
      await new Promise<void>((resolve) =>
        target.close(() => {
          resolve();
        }),
      );
    }
  });

  it('answers queued conversations by itself and routes a threaded one back to the last agent', async () => {
    const rig = await startRig({ autoAnswer: { agentName: 'Auto Agent', delayMs: 10 } });
    try {
      const token = await getToken(rig.baseUrl);
      const conversationId = await sendText(rig, token, 'user-8', 'hi');
      await rig.sim.waitForConversation((c) => c.id === conversationId && c.state === 'connected');
      rig.sim.agentTransfer(conversationId, { toAgent: 'Specialist' });
      rig.sim.agentLeave(conversationId);
      expect(await sendText(rig, token, 'user-8', 'one more thing')).toBe(conversationId);
      const reopened = await rig.sim.waitForConversation((c) => c.id === conversationId && c.state === 'connected');
      expect(reopened.agent?.name).toBe('Specialist');
    } finally {
      await rig.stop();
    }
  });
});
