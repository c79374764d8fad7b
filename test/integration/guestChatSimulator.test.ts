import WebSocket from 'ws';
import { isRecord } from '../../src/json';
import {
  GuestChatSimulator,
  SIMULATOR_DEPLOYMENT_ID,
  SIMULATOR_ORGANIZATION_ID,
  SIMULATOR_QUEUE_NAME,
  type GuestChatSimulatorOptions,
} from '../../src/simulator/guestChat/guestChatSimulator';
import { settle } from './guestChatSupport';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Created {
  id: string;
  jwt: string;
  eventStreamUri: string;
  memberId: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** Raw HTTP against the simulator: what any client (not only ours) would see. */
class RawClient {
  constructor(private readonly baseUrl: string) {}

  async request(
    method: string,
    path: string,
    options: { body?: unknown; jwt?: string; authorization?: string; rawBody?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.jwt !== undefined) headers.Authorization = `Bearer ${options.jwt}`;
    if (options.authorization !== undefined) headers.Authorization = options.authorization;
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    if (!isRecord(parsed)) throw new Error(`not an object: ${text}`);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async create(overrides: Record<string, unknown> = {}): Promise<Created> {
    const answer = await this.request('POST', '/api/v2/webchat/guest/conversations', { body: createBody(overrides) });
    if (answer.status !== 200) throw new Error(`create failed: ${JSON.stringify(answer.body)}`);
    const { id, jwt, eventStreamUri, member } = answer.body;
    if (
      typeof id !== 'string' ||
      typeof jwt !== 'string' ||
      typeof eventStreamUri !== 'string' ||
      !isRecord(member) ||
      typeof member.id !== 'string'
    ) {
      throw new Error('bad create answer');
    }
    return { id, jwt, eventStreamUri, memberId: member.id };
  }
}

function createBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organizationId: SIMULATOR_ORGANIZATION_ID,
    deploymentId: SIMULATOR_DEPLOYMENT_ID,
    routingTarget: { targetType: 'QUEUE', targetAddress: SIMULATOR_QUEUE_NAME },
    memberInfo: { displayName: 'Raw Guest', customFields: { a: '1' } },
    ...overrides,
  };
}

/** A websocket that records parsed frames. */
class FrameSocket {
  readonly frames: Record<string, unknown>[] = [];
  readonly socket: WebSocket;
  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const parsed: unknown = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '');
      if (isRecord(parsed)) this.frames.push(parsed);
    });
  }

  static open(uri: string): Promise<FrameSocket> {
    const socket = new WebSocket(uri);
    const frameSocket = new FrameSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        resolve(frameSocket);
      });
      socket.once('error', reject);
    });
  }

  async waitFor(
    predicate: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 2_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await settle(5);
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

function metadataType(frame: Record<string, unknown>): unknown {
  return isRecord(frame.metadata) ? frame.metadata.type : undefined;
}

function eventBody(frame: Record<string, unknown>): Record<string, unknown> {
  return isRecord(frame.eventBody) ? frame.eventBody : {};
}

describe('GuestChatSimulator (raw protocol)', () => {
  let sim: GuestChatSimulator;
  let raw: RawClient;
  const sockets: FrameSocket[] = [];
  let clock = Date.now();

  async function setUp(options: GuestChatSimulatorOptions = {}): Promise<void> {
    sim = new GuestChatSimulator({ heartbeatIntervalMs: 0, now: () => clock, ...options });
    raw = new RawClient(await sim.start());
  }

  async function openStream(created: Created): Promise<FrameSocket> {
    const socket = await FrameSocket.open(created.eventStreamUri);
    sockets.push(socket);
    return socket;
  }

  beforeEach(async () => {
    clock = Date.now();
    await setUp();
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await sim.stop();
  });

  const messagesPath = (c: Created): string =>
    `/api/v2/webchat/guest/conversations/${c.id}/members/${c.memberId}/messages`;
  const typingPath = (c: Created): string => `/api/v2/webchat/guest/conversations/${c.id}/members/${c.memberId}/typing`;

  it('creates a chat with an RS256-looking JWT and a stream URI embedding it', async () => {
    const created = await raw.create();
    expect(created.id).toMatch(UUID);
    expect(created.eventStreamUri).toBe(`${sim.apiUrl.replace('http://', 'ws://')}/v1/token/${created.jwt}`);
    const [header, payload] = created.jwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      data: { conv: created.id, did: SIMULATOR_DEPLOYMENT_ID, sub: created.memberId },
      iss: 'urn:purecloud:webchat',
      org: SIMULATOR_ORGANIZATION_ID,
    });
    if (!isRecord(payload) || typeof payload.exp !== 'number' || typeof payload.iat !== 'number')
      throw new Error('claims missing');
    expect(payload.exp - payload.iat).toBeGreaterThan(78_000);
    expect(sim.conversation(created.id)).toMatchObject({ state: 'pending', customFields: { a: '1' } });
  });

  it('refuses messages and typing with the exact chat.error.conversation.state envelope until the stream is attached', async () => {
    const created = await raw.create();
    const early = await raw.request('POST', messagesPath(created), {
      jwt: created.jwt,
      body: { body: 'too early', bodyType: 'standard' },
    });
    expect(early.status).toBe(400);
    expect(Object.keys(early.body).sort()).toEqual([
      'code',
      'contextId',
      'details',
      'errors',
      'message',
      'messageParams',
      'messageWithParams',
      'status',
    ]);
    expect(early.body).toEqual({
      message: 'Conversation State',
      code: 'chat.error.conversation.state',
      status: 400,
      messageWithParams: 'Conversation State',
      messageParams: { message: 'The conversation is not active' },
      contextId: expect.stringMatching(UUID) as unknown,
      details: [],
      errors: [],
    });
    const earlyTyping = await raw.request('POST', typingPath(created), { jwt: created.jwt });
    expect(earlyTyping.body.code).toBe('chat.error.conversation.state');
    expect(() => sim.agentJoin(created.id, { displayName: 'Too Soon' })).toThrow(/not routed/);

    const stream = await openStream(created);
    const connected = await stream.waitFor((f) => metadataType(f) === 'member-change');
    expect(connected).toMatchObject({
      topicName: `v2.conversations.chats.${created.id}.members`,
      version: '2',
      eventBody: { conversation: { id: created.id }, member: { id: created.memberId, state: 'CONNECTED' } },
      metadata: { CorrelationId: expect.stringMatching(UUID) as unknown, type: 'member-change' },
    });
    const ok = await raw.request('POST', messagesPath(created), {
      jwt: created.jwt,
      body: { body: 'now', bodyType: 'standard' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      body: 'now',
      bodyType: 'standard',
      sender: { id: created.memberId },
      conversation: { id: created.id },
    });
    expect(sim.conversation(created.id).state).toBe('active');
  });

  it('echoes guest messages and typing on the stream and emits guestMessage / guestTyping', async () => {
    const created = await raw.create();
    const stream = await openStream(created);
    const seen: string[] = [];
    sim.on('guestMessage', ({ message }) => seen.push(`message:${message.body}`));
    sim.on('guestTyping', () => seen.push('typing'));
    await raw.request('POST', typingPath(created), { jwt: created.jwt });
    await raw.request('POST', messagesPath(created), { jwt: created.jwt, body: { body: 'echo me' } });
    const echo = await stream.waitFor((f) => metadataType(f) === 'message');
    expect(eventBody(echo)).toMatchObject({ body: 'echo me', bodyType: 'standard', sender: { id: created.memberId } });
    const typing = await stream.waitFor((f) => metadataType(f) === 'typing-indicator');
    expect(typing.topicName).toBe(`v2.conversations.chats.${created.id}.messages`);
    expect(seen).toEqual(['typing', 'message:echo me']);
  });

  it('requires the bearer JWT of the conversation on every non-create route', async () => {
    const created = await raw.create();
    const other = await raw.create();
    const path = `/api/v2/webchat/guest/conversations/${created.id}/members`;
    expect((await raw.request('GET', path)).body).toMatchObject({ status: 401, code: 'authentication.required' });
    expect((await raw.request('GET', path, { authorization: 'Basic abc' })).body.code).toBe('authentication.required');
    expect((await raw.request('GET', path, { jwt: 'a.b.c' })).body).toMatchObject({
      status: 401,
      code: 'bad.credentials',
    });
    expect((await raw.request('GET', path, { jwt: other.jwt })).status).toBe(403);
    expect((await raw.request('GET', path, { jwt: created.jwt })).status).toBe(200);
  });

  it('expires the JWT after its configured lifetime', async () => {
    await sim.stop();
    await setUp({ jwtLifetimeMs: 10_000 });
    const created = await raw.create();
    clock += 10_001;
    const answer = await raw.request('GET', `/api/v2/webchat/guest/conversations/${created.id}/members`, {
      jwt: created.jwt,
    });
    expect(answer.body).toMatchObject({ status: 401, code: 'credentials.expired' });
    await expect(FrameSocket.open(created.eventStreamUri)).rejects.toThrow(/401/);
  });

  it('validates message bodies: 4,000-character limit, unknown bodyType, missing body', async () => {
    const created = await raw.create();
    await openStream(created);
    expect(
      (await raw.request('POST', messagesPath(created), { jwt: created.jwt, body: { body: 'x'.repeat(4_000) } }))
        .status,
    ).toBe(200);
    const tooLong = await raw.request('POST', messagesPath(created), {
      jwt: created.jwt,
      body: { body: 'x'.repeat(4_001) },
    });
    expect(tooLong.body).toMatchObject({ status: 400, code: 'constraint.validation' });
    const badType = await raw.request('POST', messagesPath(created), {
      jwt: created.jwt,
      body: { body: 'x', bodyType: 'standard | notice' },
    });
    expect(badType.body).toMatchObject({ status: 400, code: 'invalid.value' });
    const missing = await raw.request('POST', messagesPath(created), {
      jwt: created.jwt,
      body: { bodyType: 'standard' },
    });
    expect(missing.body).toMatchObject({
      status: 400,
      code: 'chat.error.notnull.createconversationmessagerequest.body',
    });
    const notJson = await raw.request('POST', messagesPath(created), { jwt: created.jwt, rawBody: '{oops' });
    expect(notJson.body).toMatchObject({ status: 400, code: 'bad.request' });
  });

  it.each([
    [
      'an unknown queue',
      { routingTarget: { targetType: 'QUEUE', targetAddress: 'Nope' } },
      400,
      'chat.error.invalid.queue',
    ],
    [
      'a lowercase queue target type (accepted)',
      { routingTarget: { targetType: 'queue', targetAddress: SIMULATOR_QUEUE_NAME } },
      200,
      undefined,
    ],
    [
      'a non-queue target type',
      { routingTarget: { targetType: 'USER', targetAddress: SIMULATOR_QUEUE_NAME } },
      400,
      'chat.error.createconversationrequest.routingtarget',
    ],
    [
      'no routing target',
      { routingTarget: undefined },
      400,
      'chat.error.notnull.createconversationrequest.routingtarget',
    ],
    [
      'no display name',
      { memberInfo: { firstName: 'x' } },
      400,
      'chat.error.notnull.createconversationrequest.memberinfo.displayname',
    ],
    [
      'a malformed deployment id',
      { deploymentId: 'not-a-guid' },
      400,
      'chat.error.pattern.createconversationrequest.deploymentid',
    ],
  ])('answers create with %s', async (_name, overrides, status, code) => {
    const answer = await raw.request('POST', '/api/v2/webchat/guest/conversations', { body: createBody(overrides) });
    expect(answer.status).toBe(status);
    if (code !== undefined) {
      expect(answer.body).toMatchObject({
        status,
        code,
        messageParams: {},
        errors: [],
        contextId: expect.stringMatching(UUID) as unknown,
      });
      expect(typeof answer.body.messageWithParams).toBe('string');
      expect(Array.isArray(answer.body.details)).toBe(true);
    }
  });

  it('pages history with after, before, sortOrder and maxResults', async () => {
    const created = await raw.create();
    await openStream(created);
    const join = sim.agentJoin(created.id, { displayName: 'Pager' });
    for (let i = 0; i < 249; i++) sim.agentSend(created.id, `m${i}`);
    const all = sim.conversation(created.id).messages; // member-join + 249
    expect(all).toHaveLength(250);
    expect(all[0]).toMatchObject({ bodyType: 'member-join', sender: { id: join.id } });

    const base = `/api/v2/webchat/guest/conversations/${created.id}/messages`;
    const ids: string[] = [];
    let after: string | undefined;
    const pageSizes: number[] = [];
    for (;;) {
      const query = `?sortOrder=ascending&maxResults=100${after === undefined ? '' : `&after=${after}`}`;
      const page = await raw.request('GET', `${base}${query}`, { jwt: created.jwt });
      const entities = Array.isArray(page.body.entities) ? page.body.entities.filter(isRecord) : [];
      pageSizes.push(entities.length);
      if (entities.length === 0) break;
      for (const e of entities) ids.push(String(e.id));
      after = String(entities[entities.length - 1]?.id);
    }
    expect(pageSizes).toEqual([100, 100, 50, 0]);
    expect(ids).toEqual(all.map((m) => m.id));

    const before = all[10]?.id ?? '';
    const desc = await raw.request('GET', `${base}?sortOrder=descending&maxResults=3&before=${before}`, {
      jwt: created.jwt,
    });
    const descIds = Array.isArray(desc.body.entities) ? desc.body.entities.filter(isRecord).map((e) => e.id) : [];
    expect(descIds).toEqual([all[9]?.id, all[8]?.id, all[7]?.id]);

    expect((await raw.request('GET', `${base}?maxResults=101`, { jwt: created.jwt })).body.code).toBe('invalid.value');
    expect((await raw.request('GET', `${base}?sortOrder=sideways`, { jwt: created.jwt })).body.code).toBe(
      'invalid.value',
    );
    const one = await raw.request('GET', `${base}/${all[5]?.id ?? ''}`, { jwt: created.jwt });
    expect(one.body).toMatchObject({ id: all[5]?.id, body: 'm4' });
    expect((await raw.request('GET', `${base}/nope`, { jwt: created.jwt })).body).toMatchObject({
      status: 404,
      code: 'chat.error.not.found',
    });
  });

  it('describes members with WebChatMemberInfo and follows agent joins, transfers and ACD members', async () => {
    const created = await raw.create({
      memberInfo: { displayName: 'Member Guest', email: 'g@example.com', customFields: { k: 'v' } },
    });
    const stream = await openStream(created);
    const alice = sim.agentJoin(created.id, { displayName: 'Alice', viaAcd: true });
    const bob = sim.transfer(created.id, 'Bob');
    await stream.waitFor((f) => {
      const member = eventBody(f).member;
      return isRecord(member) && member.id === bob.id && member.state === 'CONNECTED';
    });

    const states = stream.frames
      .filter((f) => metadataType(f) === 'member-change')
      .map((f) => {
        const member = eventBody(f).member;
        return isRecord(member)
          ? `${member.id === alice.id ? 'alice' : member.id === bob.id ? 'bob' : member.id === created.memberId ? 'guest' : 'acd'}:${String(member.state)}`
          : '';
      });
    expect(states).toEqual([
      'guest:CONNECTED',
      'acd:CONNECTED',
      'alice:ALERTING',
      'alice:CONNECTED',
      'acd:DISCONNECTED',
      'alice:DISCONNECTED',
      'bob:ALERTING',
      'bob:CONNECTED',
    ]);

    const list = await raw.request(
      'GET',
      `/api/v2/webchat/guest/conversations/${created.id}/members?excludeDisconnectedMembers=true`,
      { jwt: created.jwt },
    );
    const connected = Array.isArray(list.body.entities)
      ? list.body.entities.filter(isRecord).map((m) => m.displayName)
      : [];
    expect(connected).toEqual(['Member Guest', 'Bob']);
    const guest = await raw.request(
      'GET',
      `/api/v2/webchat/guest/conversations/${created.id}/members/${created.memberId}`,
      { jwt: created.jwt },
    );
    expect(guest.body).toMatchObject({
      id: created.memberId,
      role: 'CUSTOMER',
      state: 'CONNECTED',
      email: 'g@example.com',
      customFields: { k: 'v' },
      authenticatedGuest: false,
      leaveDate: null,
    });
    const gone = await raw.request('GET', `/api/v2/webchat/guest/conversations/${created.id}/members/${alice.id}`, {
      jwt: created.jwt,
    });
    expect(gone.body).toMatchObject({ role: 'AGENT', state: 'DISCONNECTED', displayName: 'Alice' });
    expect(typeof gone.body.leaveDate).toBe('string');
  });

  it('ends the chat on DELETE of the guest member and refuses later calls with chat.error.conversation.state', async () => {
    const created = await raw.create();
    const stream = await openStream(created);
    sim.agentJoin(created.id, { displayName: 'Alice' });
    const ended: string[] = [];
    sim.on('conversationEnded', ({ by }) => ended.push(by));
    const memberPath = `/api/v2/webchat/guest/conversations/${created.id}/members/${created.memberId}`;
    const deleted = await raw.request('DELETE', memberPath, { jwt: created.jwt });
    expect(deleted.status).toBe(204);
    expect(ended).toEqual(['guest']);
    const leave = await stream.waitFor(
      (f) => metadataType(f) === 'message' && eventBody(f).bodyType === 'member-leave',
    );
    expect(eventBody(leave).sender).toEqual({ id: created.memberId });
    await stream.waitFor((f) => {
      const member = eventBody(f).member;
      return isRecord(member) && member.id === created.memberId && member.state === 'DISCONNECTED';
    });
    for (const [method, path] of [
      ['POST', messagesPath(created)],
      ['POST', typingPath(created)],
      ['DELETE', memberPath],
    ] as const) {
      const answer = await raw.request(method, path, {
        jwt: created.jwt,
        ...(method === 'POST' ? { body: { body: 'x' } } : {}),
      });
      expect(answer.body).toMatchObject({ status: 400, code: 'chat.error.conversation.state' });
    }
  });

  it('answers 404 not.found for every /api/v2/webchat path in retired mode', async () => {
    const created = await raw.create();
    sim.setRetired(true);
    for (const [method, path] of [
      ['POST', '/api/v2/webchat/guest/conversations'],
      ['POST', messagesPath(created)],
      ['GET', `/api/v2/webchat/guest/conversations/${created.id}/members`],
      ['GET', '/api/v2/webchat/deployments'],
      ['GET', '/api/v2/webchat/settings'],
    ] as const) {
      const answer = await raw.request(method, path, {
        jwt: created.jwt,
        ...(method === 'POST' ? { body: createBody() } : {}),
      });
      expect([path, answer.status, answer.body.code]).toEqual([path, 404, 'not.found']);
    }
    await expect(FrameSocket.open(created.eventStreamUri)).rejects.toThrow(/404/);
  });

  it('injects 429 with Retry-After and 5xx answers', async () => {
    sim.injectFault({ status: 429, retryAfterSeconds: 4 });
    sim.injectFault({ status: 503 });
    const limited = await raw.request('POST', '/api/v2/webchat/guest/conversations', { body: createBody() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(limited.body).toMatchObject({ code: 'too.many.requests.retry.after', messageParams: { retryAfter: '4' } });
    expect(String(limited.body.messageWithParams)).toContain('[4]');
    const unavailable = await raw.request('POST', '/api/v2/webchat/guest/conversations', { body: createBody() });
    expect(unavailable.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    expect((await raw.request('POST', '/api/v2/webchat/guest/conversations', { body: createBody() })).status).toBe(200);
  });

  it('refuses a stream URI with an unknown token', async () => {
    await expect(FrameSocket.open(`${sim.apiUrl.replace('http://', 'ws://')}/v1/token/nope`)).rejects.toThrow(/401/);
  });

  it('sends channel.metadata heartbeats and answers ping with pong', async () => {
    await sim.stop();
    await setUp({ heartbeatIntervalMs: 20 });
    const created = await raw.create();
    const stream = await openStream(created);
    await stream.waitFor((f) => f.topicName === 'channel.metadata' && eventBody(f).message === 'WebSocket Heartbeat');
    stream.socket.send('{"message":"ping"}');
    await stream.waitFor((f) => f.topicName === 'channel.metadata' && eventBody(f).message === 'pong');
  });

  it('drops sockets with 1006 and loses frames sent meanwhile (history keeps them)', async () => {
    const created = await raw.create();
    const stream = await openStream(created);
    sim.agentJoin(created.id, { displayName: 'Alice' });
    const closed = new Promise<number>((resolve) =>
      stream.socket.once('close', (code) => {
        resolve(code);
      }),
    );
    sim.dropConnections(created.id);
    expect(await closed).toBe(1006);
    const said = sim.agentSend(created.id, 'while down');
    // The socket is closed: once the simulator is idle nothing more can arrive on it.
    await sim.whenIdle();
    expect(stream.frames.some((f) => eventBody(f).id === said.id)).toBe(false);
    expect(sim.conversation(created.id).messages.at(-1)?.id).toBe(said.id);
  });

  it('lists conversations and waits for them', async () => {
    const waiting = sim.waitForConversation((c) => c.guest.displayName === 'Later Guest');
    await raw.create();
    await raw.create({ memberInfo: { displayName: 'Later Guest' } });
    expect((await waiting).guest.displayName).toBe('Later Guest');
    expect(sim.conversations()).toHaveLength(2);
  });
});
