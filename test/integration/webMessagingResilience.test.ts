import WebSocket from 'ws';
import type { ChatSession, StartChatRequest } from '../../src/genesys/handoffProvider';
import { LEFT_NOTICE_TEXT } from '../../src/genesys/webMessaging/webMessagingSession';
import type { WebMessagingProvider } from '../../src/genesys/webMessaging/webMessagingProvider';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
  type SimulatedDeployment,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { barrier, eventually, EventRecorder, providerFor } from './webMessagingSupport';

/**
 * How the Web Messaging provider behaves when Genesys is slow, the link is down for long, the guest
 * session has a short lifetime, and the deployment's own configuration says what it allows
 * (docs/genesys-protocol.md §5.8, §5.13, §5.15).
 */

const DEP = 'dep-resilience';
const DEP_SHORT = 'dep-short-lifetime';
/** A lifetime long enough that a loaded machine's timer delays never outlast half of it between agent messages. */
const DEP_KEPT = 'dep-kept-alive';
const DEP_TYPING = 'dep-shows-typing';
const DEP_NO_CLEAR = 'dep-no-clear';
const DEP_UNPUBLISHED = 'dep-unpublished';

const DEPLOYMENTS: SimulatedDeployment[] = [
  { id: DEP, conversationClear: true, conversationDisconnect: 'ReadOnly' },
  { id: DEP_SHORT, conversationClear: true, sessionDurationSeconds: 2 },
  { id: DEP_KEPT, conversationClear: true, sessionDurationSeconds: 8 },
  { id: DEP_TYPING, conversationClear: true, showUserTypingIndicator: true },
  { id: DEP_NO_CLEAR, conversationClear: false, showUserTypingIndicator: true },
  { id: DEP_UNPUBLISHED, conversationClear: true, publishConfig: false },
];

function request(introduction = 'Hello, I need help with my order.'): StartChatRequest {
  return { guest: { displayName: 'Ada' }, attributes: { botConversationId: 'c-1' }, introduction };
}

function tokenOf(session: ChatSession): string {
  return session.resumeData.provider === 'webmessaging' ? session.resumeData.token : '';
}

describe('Web Messaging resilience against the simulator', () => {
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
  ): Promise<{ session: ChatSession; events: EventRecorder; conversation: SimulatedConversationInfo }> {
    const events = new EventRecorder();
    const session = await provider(deploymentId, overrides).startChat(request(), events.listener);
    const token = tokenOf(session);
    const conversation = await sim.waitForConversation((c) => c.sessionToken === token);
    return { session, events, conversation };
  }

  beforeEach(async () => {
    sim = new WebMessagingSimulator({ deployments: DEPLOYMENTS });
    await sim.start();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await sim.stop();
  });

  describe('a link that stays down', () => {
    // A reconnect policy that is spent after a few fast attempts, as after about five minutes in production.
    const spentQuickly = { reconnectPolicy: (attempt: number) => (attempt > 5 ? null : 20) };

    it('tells the user once, keeps the Genesys session and reports the link restored', async () => {
      const { events, conversation } = await started(DEP, {
        ...spentQuickly,
        linkDownNoticeMs: 150,
        linkStableMs: 100,
      });
      sim.agentJoin(conversation.id, { displayName: 'Grace' });
      sim.setOutage(true);
      await events.next('linkDown');
      // The agent writes while the guest is away; the conversation is untouched by the outage.
      sim.agentSend(conversation.id, 'Are you still there?');
      expect(sim.conversation(conversation.id).state).not.toBe('ended');
      sim.setOutage(false);
      await events.next('linkRestored');
      await barrier(sim, events, conversation.id);
      expect(events.texts).toEqual(['Are you still there?', 'barrier']);
      expect(events.ofKind('linkDown')).toHaveLength(1);
      expect(events.ofKind('linkRestored')).toHaveLength(1);
      expect(events.ofKind('ended')).toHaveLength(0);
      const down = events.ofKind('linkDown')[0];
      // A timer may fire a millisecond early against Date.now().
      expect(down?.downForMs).toBeGreaterThanOrEqual(145);
    });

    it('says nothing about a short drop', async () => {
      const { events, conversation } = await started(DEP, { linkDownNoticeMs: 2_000 });
      sim.dropConnections(conversation.id);
      await sim.waitUntil(() => (sim.connectionCount(conversation.sessionToken) === 1 ? true : undefined));
      await barrier(sim, events, conversation.id);
      expect(events.kinds()).toEqual(['queued', 'agentMessage']);
    });

    it('ends the chat as failed only once the give-up time has passed', async () => {
      const { events } = await started(DEP, { ...spentQuickly, linkDownNoticeMs: 100, reconnectGiveUpMs: 600 });
      const droppedAt = Date.now();
      sim.setOutage(true);
      const ended = await events.next('ended');
      expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(600);
      expect(ended.reason).toBe('failed');
      expect(events.kinds()).toEqual(['queued', 'linkDown', 'ended']);
    });

    it('ends the chat as expired when Genesys says the session is gone', async () => {
      const { events, conversation } = await started(DEP, { ...spentQuickly, linkDownNoticeMs: 100 });
      sim.setOutage(true);
      await events.next('linkDown');
      // The session expires while the guest cannot hear the SessionExpiredEvent.
      sim.expireSession(conversation.id);
      sim.setOutage(false);
      const ended = await events.next('ended');
      expect(ended.reason).toBe('expired');
      expect(ended.error?.code).toBe('sessionExpired');
    });
  });

  describe('a slow acknowledgement', () => {
    it('is not a failure: the introduction answered late starts the chat, queued once', async () => {
      sim.setGuestAnswerDelay(700);
      const events = new EventRecorder();
      const session = await provider(DEP, { responseTimeoutMs: 200 }).startChat(request(), events.listener);
      const conversation = await sim.waitForConversation((c) => c.sessionToken === tokenOf(session));
      sim.setGuestAnswerDelay(0);
      await barrier(sim, events, conversation.id);
      expect(events.kinds()).toEqual(['queued', 'agentMessage']);
      const intro = sim.conversation(conversation.id).messages.filter((m) => m.direction === 'Inbound');
      expect(intro.map((m) => m.text)).toEqual(['Hello, I need help with my order.']);
    });

    it('a guest message answered late is delivered once and not reported as failed', async () => {
      const { session, events, conversation } = await started(DEP, { responseTimeoutMs: 200 });
      sim.setGuestAnswerDelay(600);
      await session.sendText('answered late');
      sim.setGuestAnswerDelay(0);
      await barrier(sim, events, conversation.id);
      const texts = sim.conversation(conversation.id).messages.map((m) => m.text);
      expect(texts.filter((t) => t === 'answered late')).toHaveLength(1);
      expect(events.ofKind('error')).toHaveLength(0);
    });

    it('never answered: the chat fails without having said "queued", and its conversation is cleared', async () => {
      sim.setGuestAnswerDelay(60_000);
      const events = new EventRecorder();
      const p = provider(DEP, { responseTimeoutMs: 150, lateAnswerWaitMs: 300 });
      await expect(p.startChat(request(), events.listener)).rejects.toMatchObject({ code: 'timeout' });
      const conversation = await sim.waitForConversation();
      await sim.waitUntil(() => (sim.conversation(conversation.id).state === 'ended' ? true : undefined));
      expect(sim.conversation(conversation.id).endReason).toBe('cleared');
      expect(events.kinds()).not.toContain('queued');
    });
  });

  describe('the guest session lifetime', () => {
    it('warns before a short session expires, then ends the chat as expired', async () => {
      const { events } = await started(DEP_SHORT, { echoIntervalMs: 0 });
      const expiring = await events.next('sessionExpiring');
      // Half of the 2-second lifetime is left when the warning comes.
      expect(expiring.expiresInSeconds).toBeGreaterThanOrEqual(1);
      expect(expiring.expiresInSeconds).toBeLessThanOrEqual(2);
      const ended = await events.next('ended');
      expect(ended.reason).toBe('expired');
      expect(events.kinds()).toEqual(['queued', 'sessionExpiring', 'ended']);
    });

    it('a message after the warning keeps the session, and the warning comes again for the new expiry', async () => {
      const { session, events, conversation } = await started(DEP_SHORT, { echoIntervalMs: 0 });
      await events.next('sessionExpiring');
      await session.sendText('still here');
      await events.until((e) => e.filter((x) => x.kind === 'sessionExpiring').length === 2, 5000, 'second warning');
      expect(sim.conversation(conversation.id).state).not.toBe('ended');
      expect(events.ofKind('ended')).toHaveLength(0);
    });

    it('agent messages keep the session: no warning and no expiry while they come', async () => {
      const { events, conversation } = await started(DEP_KEPT, { echoIntervalMs: 300 });
      // Each agent message restarts the lifetime on both sides; echo answers report the moved expiry.
      const keepAlive = setInterval(() => {
        sim.agentSend(conversation.id, 'hold on', { originatingEntity: 'Bot' });
      }, 400);
      try {
        // 14 messages 400 ms apart outlast the 8-second lifetime: without keep-alive, the warning (at half) and the end would come.
        await events.until((e) => e.filter((x) => x.kind === 'agentMessage').length >= 14, 15000, 'agent messages');
      } finally {
        clearInterval(keepAlive);
      }
      expect(events.ofKind('sessionExpiring')).toHaveLength(0);
      expect(events.ofKind('ended')).toHaveLength(0);
    });
  });

  describe('the deployment configuration', () => {
    it('is served per deployment at the Messenger path, 404 for an unknown or unpublished one', async () => {
      const url = (id: string): string => `${sim.apiUrl}/webdeployments/v1/deployments/${id}/config.json`;
      const res = await fetch(url(DEP));
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        status: string;
        messenger: { apps: { conversations: Record<string, unknown> } };
      };
      expect(body.status).toBe('Active');
      expect(body.messenger.apps.conversations).toMatchObject({
        showUserTypingIndicator: false,
        conversationDisconnect: { enabled: true, type: 'ReadOnly' },
        conversationClear: { enabled: true },
      });
      expect((await fetch(url('no-such-deployment'))).status).toBe(404);
      expect((await fetch(url(DEP_UNPUBLISHED))).status).toBe(404);
    });

    it('is read and followed: what it says is known before the first chat', async () => {
      const config = await provider(DEP).loadDeploymentConfig();
      expect(config).toMatchObject({
        status: 'Active',
        showUserTypingIndicator: false,
        conversationClear: true,
        conversationDisconnect: { enabled: true, type: 'ReadOnly' },
      });
      expect(await provider(DEP_UNPUBLISHED).loadDeploymentConfig()).toBeUndefined();
    });

    it('sends no guest typing when the deployment hides it, and sends it when shown', async () => {
      let typing = 0;
      sim.on('guestTyping', () => {
        typing++;
      });
      const hidden = await started(DEP);
      await hidden.session.sendTyping();
      await hidden.session.sendText('after typing');
      await sim.whenIdle();
      expect(typing).toBe(0);

      const shown = await started(DEP_TYPING);
      await shown.session.sendTyping();
      await sim.waitUntil(() => (typing === 1 ? true : undefined));
      await shown.session.sendText('after typing');
      expect(typing).toBe(1);
    });

    it('ends with a notice, without trying Clear, when the deployment has Clear off', async () => {
      const { session, events, conversation } = await started(DEP_NO_CLEAR);
      await session.end();
      expect((await events.next('ended')).reason).toBe('guestEnded');
      const texts = sim.conversation(conversation.id).messages.map((m) => m.text);
      expect(texts).toContain(LEFT_NOTICE_TEXT);
      expect(sim.stats.clearsRefused).toBe(0);
    });

    it('sends typing and tries Clear as before when the configuration cannot be read', async () => {
      let typing = 0;
      sim.on('guestTyping', () => {
        typing++;
      });
      const { session, events, conversation } = await started(DEP_UNPUBLISHED);
      await session.sendTyping();
      await sim.waitUntil(() => (typing === 1 ? true : undefined));
      await session.end();
      expect((await events.next('ended')).reason).toBe('guestEnded');
      expect(sim.conversation(conversation.id).endReason).toBe('cleared');
    });
  });
});

describe('Web Messaging simulator: session lifetime in echo answers', () => {
  async function echoUntil(
    sim: WebMessagingSimulator,
    stop: (answers: Record<string, unknown>[]) => boolean,
  ): Promise<Record<string, unknown>[]> {
    const ws = new WebSocket(`${sim.webMessagingUrl}?deploymentId=${DEP}`);
    const answers: Record<string, unknown>[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.on('message', (data: Buffer) => {
        answers.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      });
      ws.send(JSON.stringify({ action: 'configureSession', deploymentId: DEP, token: 'echo-token', tracingId: 'c' }));
      let n = 0;
      timer = setInterval(() => {
        const echo = {
          action: 'echo',
          token: 'echo-token',
          tracingId: `e${n++}`,
          message: { type: 'Text', text: 'ping' },
        };
        ws.send(JSON.stringify(echo));
      }, 200);
      await eventually(() => stop(answers), 5000, 'echo answers');
      return answers;
    } finally {
      if (timer !== undefined) clearInterval(timer);
      ws.close();
    }
  }

  it('with echoExtendsSession, health checks alone keep a session alive past its lifetime', async () => {
    const sim = new WebMessagingSimulator({
      deployments: [{ id: DEP, sessionDurationSeconds: 0.5 }],
      echoExtendsSession: true,
    });
    await sim.start();
    try {
      // Eight answered echoes span 1.6 s, more than three lifetimes.
      const answers = await echoUntil(
        sim,
        (a) => a.filter((x) => x.class === 'StructuredMessage').length >= 8 || a.some((x) => x.code === 4006),
      );
      expect(answers.filter((x) => x.class === 'SessionExpiredEvent' || x.code === 4006)).toEqual([]);
    } finally {
      await sim.stop();
    }
  });

  it('reports durationSeconds and expirationDate as strings; echoes alone do not keep a session alive', async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: DEP, sessionDurationSeconds: 1 }] });
    await sim.start();
    try {
      // Health checks every 200 ms for longer than the lifetime: the session expires all the same.
      const answers = await echoUntil(sim, (a) => a.some((x) => x.class === 'SessionExpiredEvent'));
      const configured = answers.find((a) => a.tracingId === 'c')?.body as {
        durationSeconds: number;
        expirationDate: number;
      };
      expect(configured.durationSeconds).toBe(1);
      const firstEcho = answers.find((a) => a.tracingId === 'e0')?.body as { metadata: Record<string, string> };
      expect(firstEcho.metadata).toEqual({ durationSeconds: '1', expirationDate: String(configured.expirationDate) });
      expect(answers.filter((a) => a.class === 'StructuredMessage').length).toBeGreaterThan(2);
    } finally {
      await sim.stop();
    }
  });
});
