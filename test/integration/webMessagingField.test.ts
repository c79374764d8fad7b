import WebSocket from 'ws';
import { GenesysError } from '../../src/genesys/genesysError';
import type { ChatSession, StartChatRequest } from '../../src/genesys/handoffProvider';
import type { WebMessagingProvider } from '../../src/genesys/webMessaging/webMessagingProvider';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
  type WebMessagingSimulatorOptions,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { eventually, EventRecorder, providerFor } from './webMessagingSupport';

/**
 * Web Messaging as it behaves in the field (docs/genesys-protocol.md §5), beyond what its
 * documentation spells out: each case runs the real provider against the simulator.
 */
const DEP = 'dep-field';

function request(introduction = 'Hello, I need help.', attributes: Record<string, string> = {}): StartChatRequest {
  return { guest: { displayName: 'Ada' }, attributes, introduction };
}

describe('Web Messaging in the field', () => {
  let sim: WebMessagingSimulator;
  const providers: WebMessagingProvider[] = [];

  async function startSim(options: Partial<WebMessagingSimulatorOptions> = {}): Promise<void> {
    sim = new WebMessagingSimulator({ deployments: [{ id: DEP, conversationClear: true }], ...options });
    await sim.start();
  }

  function provider(overrides: Parameters<typeof providerFor>[2] = {}): WebMessagingProvider {
    const p = providerFor(sim, DEP, overrides);
    providers.push(p);
    return p;
  }

  async function started(
    overrides: Parameters<typeof providerFor>[2] = {},
  ): Promise<{ session: ChatSession; events: EventRecorder; conversation: SimulatedConversationInfo }> {
    const events = new EventRecorder();
    const session = await provider(overrides).startChat(request(), events.listener);
    const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
    const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
    return { session, events, conversation };
  }

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await sim.stop();
  });

  describe('custom attributes (§5.3)', () => {
    beforeEach(() => startSim());

    it('the simulator ignores attributes given at the request level, as Genesys does since 2026-06', async () => {
      const ws = new WebSocket(`${sim.webMessagingUrl}?deploymentId=${DEP}`);
      const frames: { tracingId?: string; code?: number }[] = [];
      ws.on('message', (data: Buffer) => {
        frames.push(JSON.parse(data.toString('utf8')) as { tracingId?: string; code?: number });
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const send = (frame: unknown): void => {
        ws.send(JSON.stringify(frame));
      };
      const answered = async (tracingId: string): Promise<unknown> => {
        await eventually(() => frames.some((f) => f.tracingId === tracingId), 3000, `answer ${tracingId}`);
        return frames.find((f) => f.tracingId === tracingId);
      };
      send({ action: 'configureSession', token: 'tok-attrs', deploymentId: DEP, tracingId: 'c' });
      await answered('c');
      send({
        action: 'onMessage',
        token: 'tok-attrs',
        tracingId: 'old',
        message: { type: 'Text', text: 'old place' },
        channel: { metadata: { customAttributes: { oldPlace: 'yes' } } },
      });
      await expect(answered('old')).resolves.toMatchObject({ code: 200 });
      const conversation = await sim.waitForConversation((c) => c.sessionToken === 'tok-attrs');
      expect(sim.conversation(conversation.id).customAttributes).toEqual({});
      send({
        action: 'onMessage',
        token: 'tok-attrs',
        tracingId: 'new',
        message: { type: 'Text', text: 'new place', channel: { metadata: { customAttributes: { newPlace: 'yes' } } } },
      });
      await expect(answered('new')).resolves.toMatchObject({ code: 200 });
      expect(sim.conversation(conversation.id).customAttributes).toEqual({ newPlace: 'yes' });
      ws.close();
    });

    it('the client puts the attributes in the message, where they count', async () => {
      const events = new EventRecorder();
      const session = await provider().startChat(request('hi', { botConversationId: 'c-9' }), events.listener);
      const token = session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
      const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
      expect(conversation.customAttributes).toEqual({ botConversationId: 'c-9' });
    });
  });

  describe('reconnect storm (§5.4, §5.7)', () => {
    beforeEach(() => startSim());

    it('after a rate-limited configureSession every session waits for retryAfter, then comes back', async () => {
      const chats = await Promise.all(Array.from({ length: 8 }, () => started()));
      const attempts = new Map<string, { at: number; retryAfterSeconds?: number }[]>();
      const note = (token: string, entry: { at: number; retryAfterSeconds?: number }): void => {
        attempts.set(token, [...(attempts.get(token) ?? []), entry]);
      };
      sim.on('configureRateLimited', (e) => {
        note(e.sessionToken, { at: Date.now(), retryAfterSeconds: e.retryAfterSeconds });
      });
      sim.on('sessionConfigured', (e) => {
        note(e.sessionToken, { at: Date.now() });
      });
      sim.setRateLimits({ configuresPerDeploymentPerMinute: 3, rateLimitWindowMs: 1000 });
      for (const chat of chats) sim.dropConnections(chat.conversation.id);
      await eventually(() => chats.every((c) => sim.connectionCount(c.conversation.sessionToken) === 0));
      await eventually(
        () => chats.every((c) => sim.connectionCount(c.conversation.sessionToken) === 1),
        20_000,
        'every session reconnected',
      );
      expect(sim.stats.configureRateLimited).toBeGreaterThan(0);
      const early: { waitedMs: number; retryAfterMs: number }[] = [];
      for (const entries of attempts.values()) {
        entries.forEach((entry, i) => {
          const next = entries[i + 1];
          if (entry.retryAfterSeconds === undefined || next === undefined) return;
          // Timers may fire a few ms early; nothing may come back measurably before retryAfter.
          if (next.at - entry.at < entry.retryAfterSeconds * 1000 - 20)
            early.push({ waitedMs: next.at - entry.at, retryAfterMs: entry.retryAfterSeconds * 1000 });
        });
      }
      expect(early).toEqual([]);
      await Promise.all(chats.map((c) => c.session.sendText('still here')));
      for (const chat of chats) expect(sim.conversation(chat.conversation.id).messages.at(-1)?.text).toBe('still here');
    });
  });

  describe('order (§5.8)', () => {
    beforeEach(() => startSim());

    it('with the default settings a burst delivered out of order reaches the listener in Genesys order', async () => {
      // `reorderWindowMs: undefined` keeps the product default.
      const { events, conversation } = await started({ reorderWindowMs: undefined });
      sim.agentJoin(conversation.id, { displayName: 'Grace' });
      sim.setDelivery({ reorder: 'reverse', batchMs: 50 });
      const steps = ['Step 1', 'Step 2', 'Step 3', 'Step 4', 'Step 5'];
      for (const step of steps) sim.agentSend(conversation.id, step);
      await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length === steps.length);
      expect(events.texts).toEqual(steps);
    });
  });

  describe('history budget (§5.7, §5.8)', () => {
    // The simulator's "minute" is shortened to 3 s; the client is told the same allowance.
    beforeEach(() => startSim({ rateLimitWindowMs: 3_000 }));

    it('a flapping link stays within 10 history reads per window and loses no agent message', async () => {
      const { events, conversation } = await started({ historyRateLimit: { requests: 10, windowMs: 3_000 } });
      sim.agentJoin(conversation.id, { displayName: 'Grace' });
      const said: string[] = [];
      for (let i = 1; i <= 15; i++) {
        sim.dropConnections(conversation.id);
        await eventually(() => sim.connectionCount(conversation.sessionToken) === 0, 3000, 'link down');
        const text = `while away ${i}`;
        sim.agentSend(conversation.id, text);
        said.push(text);
        await eventually(() => sim.connectionCount(conversation.sessionToken) === 1, 3000, 'link back');
      }
      await events.until(
        (e) => said.every((text) => e.some((x) => x.kind === 'agentMessage' && x.text === text)),
        15_000,
        'every message said while away',
      );
      expect(events.texts).toEqual(said);
      expect(sim.stats.historyRateLimited).toBe(0);
      expect(events.kinds()).not.toContain('error');
    });
  });

  describe('rate-limited first connection (§5.4, §5.7)', () => {
    beforeEach(() => startSim({ configuresPerDeploymentPerMinute: 2, rateLimitWindowMs: 1_000 }));

    it('a chat whose first configureSession is rate limited starts after retryAfter instead of failing', async () => {
      const limited: number[] = [];
      sim.on('configureRateLimited', () => limited.push(Date.now()));
      const chats = await Promise.all([started(), started(), started()]);
      expect(limited.length).toBeGreaterThan(0);
      expect(new Set(chats.map((c) => c.conversation.id)).size).toBe(3);
      expect(sim.stats.configureRateLimited).toBe(limited.length);
    });
  });

  describe('refused messages (§5.6, §5.16)', () => {
    beforeEach(() => startSim());

    it('a text Genesys finds too long fails as messageTooLong (4011), the chat goes on', async () => {
      const { session, events, conversation } = await started();
      sim.setMaxTextBytes(50);
      const error = await session.sendText('y'.repeat(80)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(GenesysError);
      expect((error as GenesysError).code).toBe('messageTooLong');
      sim.setMaxTextBytes(4096);
      await session.sendText('short');
      expect(sim.conversation(conversation.id).messages.at(-1)?.text).toBe('short');
      expect(events.kinds()).not.toContain('ended');
    });
  });
});
