import { randomUUID } from 'node:crypto';
import { type Activity, type Attachment, type ConversationReference, MessageFactory } from 'botbuilder';
import { activityText } from '../activities';
import { isGenesysError, type GenesysErrorCode } from '../genesys/genesysError';
import type {
  ChatEndReason,
  ChatEvent,
  ChatSession,
  HandoffProvider,
  RoutingRequest,
} from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { MESSAGES } from '../resources/messages';
import { formatTranscriptForAgent, type Transcript } from '../transcript/transcript';
import { handoffRecordId } from './handoffKeys';
import {
  ACTIVE_STATES,
  MAX_DELIVERED_IDS,
  heartbeatId,
  type HandoffEndReason,
  type HandoffRecord,
  type HandoffState,
} from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { ProactiveMessenger } from './proactiveMessenger';

/** Timing and identity settings of the handoff. */
export interface HandoffSettings {
  instanceId: string;
  queueTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  idleWarningSeconds: number;
  leaseSeconds: number;
  sweepIntervalSeconds: number;
  /** Longest introduction (transcript) sent to the agent. */
  introductionMaxChars?: number;
  /** Routing defaults (Guest Chat). */
  routing?: RoutingRequest;
}

/** What the transfer dialog passes to open a chat. */
export interface HandoffRequest {
  reference: Partial<ConversationReference>;
  channelId: string;
  conversationId: string;
  userId: string;
  userName?: string;
  transcript: Transcript;
  /** Collected by the dialogs (pre-chat answers...); sent as participant data. */
  attributes: Record<string, string>;
}

/** Outcome of {@link HandoffSessionManager.start}. */
export type StartHandoffResult =
  | { status: 'started' }
  | { status: 'alreadyActive' }
  | { status: 'unavailable' }
  | { status: 'refused'; code: GenesysErrorCode }
  | { status: 'failed'; code: string };

interface LocalChat {
  /** The record generation this local chat belongs to. */
  generation: string;
  session: ChatSession | undefined;
  reference: Partial<ConversationReference>;
  /** The record as last read or written here; timers read storage only when this says one is due. */
  record?: HandoffRecord;
}

const END_MESSAGES: Record<HandoffEndReason, string> = {
  userEnded: MESSAGES.userEnded,
  userCancelled: MESSAGES.userCancelled,
  agentEnded: MESSAGES.agentEnded,
  expired: MESSAGES.sessionExpired,
  queueTimeout: MESSAGES.queueTimeout,
  idleTimeout: MESSAGES.idleTimeout,
  connectionLost: MESSAGES.connectionLost,
  refused: MESSAGES.handoffRefused,
  startFailed: MESSAGES.handoffFailed,
};

const PROVIDER_END_REASONS: Record<ChatEndReason, HandoffEndReason> = {
  agentEnded: 'agentEnded',
  guestEnded: 'userEnded',
  expired: 'expired',
  cleared: 'agentEnded',
  failed: 'connectionLost',
};

/** How many chats are resumed or released at once (resuming is I/O-bound). */
const PARALLELISM = 64;
/** User activity moves the idle deadline in storage at most this often (the timeout is minutes long). */
const ACTIVITY_WRITE_INTERVAL_MS = 30_000;
/** The sweeper yields to the event loop after this many chats. */
const SWEEP_YIELD_EVERY = 100;
/** Most chats taken over in one sweep, so a sweep stays short; the rest follow in the next ones. */
const MAX_TAKEOVERS_PER_SWEEP = 500;
/** Waits before retrying a proactive message the channel did not accept. */
const DELIVERY_RETRY_DELAYS_MS = [500, 2_000, 5_000];
/** A full scan for orphaned chats runs every this many sweeps. */
const FULL_SCAN_EVERY = 12;

/**
 * Owns the lifecycle of live chats: opens them through the configured provider, relays user
 * messages to Genesys and Genesys events to the user, runs the queue and idle timers from deadlines
 * stored in each record, and keeps every active chat owned by exactly one live instance (instance
 * heartbeats in storage; orphaned chats are taken over, reconnected and backfilled).
 * It is the only code that sends proactive messages.
 */
export class HandoffSessionManager {
  private readonly chats = new Map<string, LocalChat>();
  private readonly logger: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweeps = 0;
  private lastHeartbeatOk = 0;
  private stopped = false;

  constructor(
    private readonly provider: HandoffProvider | undefined,
    private readonly records: HandoffRecords,
    private readonly messenger: ProactiveMessenger,
    private readonly settings: HandoffSettings,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.logger = logger.child({ module: 'handoff' });
  }

  /** True when a Genesys provider is configured. */
  get isAvailable(): boolean {
    return this.provider !== undefined;
  }

  /** Number of chats whose connection this instance holds. */
  get localChatCount(): number {
    return this.chats.size;
  }

  /** The conversation's live chat when one is active (requested, queued or connected). */
  async activeRecord(channelId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const record = await this.records.get(handoffRecordId(channelId, conversationId));
    return record !== undefined && ACTIVE_STATES.includes(record.state) ? record : undefined;
  }

  /** Opens a live chat for the conversation and hands the agent the transcript. */
  async start(request: HandoffRequest): Promise<StartHandoffResult> {
    const provider = this.provider;
    if (provider === undefined) return { status: 'unavailable' };
    const id = handoffRecordId(request.channelId, request.conversationId);
    const now = this.now();
    const generation = randomUUID();
    const begun = await this.records.begin({
      id,
      type: 'handoff',
      state: 'requested',
      reason: 'user asked for an agent',
      channelId: request.channelId,
      conversationId: request.conversationId,
      userId: request.userId,
      ...(request.userName === undefined ? {} : { userName: request.userName }),
      reference: request.reference,
      provider: provider.name,
      generation,
      deliveredMessageIds: [],
      owner: this.settings.instanceId,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      ...this.queueDeadline(now),
      ttl: -1,
    });
    if (begun === undefined) return { status: 'alreadyActive' };

    this.chats.set(id, { generation, session: undefined, reference: request.reference });
    const log = this.logger.child({ conversationId: request.conversationId });
    try {
      const session = await provider.startChat(
        {
          guest: { displayName: request.userName ?? 'Customer' },
          attributes: {
            botChannel: request.channelId,
            botConversationId: request.conversationId,
            botUserId: request.userId,
            ...(request.userName === undefined ? {} : { botUserName: request.userName }),
            ...request.attributes,
          },
          introduction: formatTranscriptForAgent(request.transcript, this.settings.introductionMaxChars ?? 4000),
          ...(this.settings.routing === undefined ? {} : { routing: this.settings.routing }),
        },
        (event) => this.onChatEvent(id, generation, event),
      );
      const bound = await this.records.update(id, (r) => {
        if (r.generation !== generation || !ACTIVE_STATES.includes(r.state)) return undefined;
        r.resumeData = session.resumeData;
        return r;
      });
      const stillOurs =
        bound?.generation === generation && ACTIVE_STATES.includes(bound.state) && bound.resumeData !== undefined;
      const local = this.chats.get(id);
      if (!stillOurs) {
        // The user cancelled (here or on another instance) while the chat was being opened.
        if (local?.generation === generation) this.chats.delete(id);
        await session.end().catch((err: unknown) => {
          log.warn({ err }, 'could not end a chat cancelled while opening');
        });
        return { status: 'started' };
      }
      if (local?.generation !== generation || this.stopped) {
        // Released meanwhile (shutdown or lost lease): the chat lives on; another instance resumes it.
        await session.detach();
        return { status: 'started' };
      }
      local.session = session;
      local.record = bound;
      log.info({ provider: provider.name }, 'live chat opened');
      return { status: 'started' };
    } catch (err) {
      if (this.chats.get(id)?.generation === generation) this.chats.delete(id);
      const code = isGenesysError(err) ? err.code : 'unexpected';
      const refused = isGenesysError(err) && !err.transient && err.code !== 'closed';
      log.warn({ err, code }, 'could not open a live chat');
      await this.records.transition(
        id,
        'failed',
        `could not open the chat: ${code}`,
        (r) => {
          r.endReason = refused ? 'refused' : 'startFailed';
          clearTimers(r);
        },
        ACTIVE_STATES,
        generation,
      );
      return refused && isGenesysError(err) ? { status: 'refused', code: err.code } : { status: 'failed', code };
    }
  }

  /**
   * Relays a user message to the agent. Returns false when it could not be delivered (the caller
   * tells the user). Attachments are sent as links, with a note where the channel's URLs need auth.
   */
  async relayUserMessage(record: HandoffRecord, activity: Partial<Activity>): Promise<boolean> {
    const text = composeUserText(activity);
    if (text === '') return true;
    const log = this.logger.child({ conversationId: record.conversationId });
    try {
      const local = this.chats.get(record.id);
      if (local?.session !== undefined) {
        await local.session.sendText(text);
      } else if (record.resumeData !== undefined && this.provider !== undefined) {
        // Re-check: a chat that ended meanwhile must not be reopened by a late message.
        const current = await this.records.get(record.id);
        if (current?.generation !== record.generation || !ACTIVE_STATES.includes(current.state)) return false;
        await this.provider.sendDetached(record.resumeData, text);
      } else {
        log.info({ state: record.state }, 'user wrote before the chat could take messages');
        return false;
      }
    } catch (err) {
      log.warn({ err }, 'could not relay a user message to the agent');
      return false;
    }
    const now = this.now();
    if (now - record.lastActivityAt < ACTIVITY_WRITE_INTERVAL_MS && record.idleWarned !== true) return true;
    this.track(
      await this.records.update(record.id, (r) => {
        if (!ACTIVE_STATES.includes(r.state)) return undefined;
        r.lastActivityAt = now;
        this.armIdle(r, now);
        return r;
      }),
    );
    return true;
  }

  /** Tells the agent the user is typing (only from the instance that holds the chat). */
  async relayUserTyping(record: HandoffRecord): Promise<void> {
    const session = this.chats.get(record.id)?.session;
    if (session === undefined) return;
    await session.sendTyping().catch((err: unknown) => {
      this.logger.debug({ err, conversationId: record.conversationId }, 'could not relay typing');
    });
  }

  /**
   * Ends the chat because the user asked (`userEnded`) or stopped waiting (`userCancelled`).
   * Returns false when it had already ended. The caller tells the user.
   */
  async endByUser(record: HandoffRecord, reason: 'userEnded' | 'userCancelled'): Promise<boolean> {
    if ((await this.endRecord(record.id, reason, reason)) === undefined) return false;
    await this.closeOnGenesys(record);
    return true;
  }

  /** Starts heartbeats, timers and recovery of chats left by stopped instances. */
  async startBackground(): Promise<void> {
    if (this.provider === undefined) return;
    await this.beat();
    await this.sweep(true);
    // The heartbeat has its own timer so that long sweeps (mass takeovers) never let the lease lapse.
    this.heartbeatTimer = setInterval(
      () => {
        this.beat().catch((err: unknown) => {
          this.logger.warn({ err }, 'heartbeat failed');
        });
      },
      Math.max(1_000, Math.floor((this.settings.leaseSeconds * 1000) / 3)),
    );
    this.heartbeatTimer.unref();
    this.sweepTimer = setInterval(() => {
      if (this.sweeping !== undefined) return;
      this.sweeping = this.sweep(false)
        .catch((err: unknown) => {
          this.logger.warn({ err }, 'live-chat sweep failed');
        })
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.settings.sweepIntervalSeconds * 1000);
    this.sweepTimer.unref();
  }

  /**
   * Graceful shutdown: stops timers, closes local connections without ending chats, and releases
   * them so another instance takes over at once.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    await this.sweeping;
    const ids = [...this.chats.keys()];
    await forEachLimited(ids, PARALLELISM, async (id) => {
      await this.release(id);
    });
    if (this.provider !== undefined) {
      await this.provider.close();
      await this.records.removeHeartbeat(heartbeatId(this.settings.instanceId)).catch((err: unknown) => {
        this.logger.warn({ err }, 'could not remove the instance heartbeat');
      });
    }
  }

  /**
   * Stops at once without releasing anything: local connections are dropped, records keep this
   * instance as owner until its heartbeat lapses, then another instance takes over. This is what a
   * crash looks like to the other instances; used when the process must stop immediately.
   */
  async halt(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    const sessions = [...this.chats.values()].flatMap((c) => (c.session === undefined ? [] : [c.session]));
    this.chats.clear();
    await Promise.all(
      sessions.map((s) =>
        s.detach().catch((err: unknown) => {
          this.logger.debug({ err }, 'detach failed while halting');
        }),
      ),
    );
    await this.provider?.close();
  }

  /** One pass of heartbeat, timers, reconciliation and takeover. Exposed for tests. */
  async sweep(startup = false): Promise<void> {
    if (this.stopped) return;
    this.sweeps++;
    const now = this.now();
    if (this.lastHeartbeatOk === 0 || now - this.lastHeartbeatOk > this.settings.leaseSeconds * 1000) {
      // Without a fresh heartbeat other instances may own our chats; do nothing until it is back.
      await this.beat();
      if (now - this.lastHeartbeatOk > this.settings.leaseSeconds * 1000) return;
    }
    await this.runTimers(now);
    if (startup || this.sweeps % FULL_SCAN_EVERY === 0) await this.reconcile();
    await this.takeOver(startup, now);
  }

  /**
   * Renews this instance's heartbeat (its lease on the chats it owns). When renewal has failed for
   * a whole lease, other instances may have taken the chats over: local connections are dropped
   * rather than risk delivering twice; the records are reclaimed once storage answers again.
   */
  async beat(): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    const leaseMs = this.settings.leaseSeconds * 1000;
    try {
      await this.records.heartbeat(heartbeatId(this.settings.instanceId), this.settings.instanceId, now + leaseMs);
      this.lastHeartbeatOk = now;
    } catch (err) {
      this.logger.warn({ err }, 'could not renew the instance heartbeat');
      if (this.lastHeartbeatOk > 0 && now - this.lastHeartbeatOk > leaseMs && this.chats.size > 0) {
        this.logger.error({ chats: this.chats.size }, 'heartbeat lapsed; dropping local live-chat connections');
        for (const id of [...this.chats.keys()]) await this.detachLocal(id);
      }
    }
  }

  private queueDeadline(now: number): Pick<HandoffRecord, 'queueDeadline'> {
    return this.settings.queueTimeoutSeconds > 0
      ? { queueDeadline: now + this.settings.queueTimeoutSeconds * 1000 }
      : {};
  }

  private armIdle(record: HandoffRecord, now: number): void {
    if (record.state !== 'connected' || this.settings.idleTimeoutSeconds <= 0) return;
    record.idleDeadline = now + this.settings.idleTimeoutSeconds * 1000;
    record.idleWarningAt =
      this.settings.idleWarningSeconds > 0 ? record.idleDeadline - this.settings.idleWarningSeconds * 1000 : undefined;
    record.idleWarned = false;
  }

  private async onChatEvent(id: string, generation: string, event: ChatEvent): Promise<void> {
    if (this.chats.get(id)?.generation !== generation) {
      // An event of a chat this instance no longer holds (ended, released, or an earlier chat).
      this.logger.debug({ recordId: id, kind: event.kind }, 'ignoring an event of a chat not held here');
      return;
    }
    const now = this.now();
    switch (event.kind) {
      case 'queued': {
        const result = await this.records.transition(
          id,
          'queued',
          'genesys accepted the chat',
          (r) => {
            r.queuedAt = now;
          },
          ['requested'],
          generation,
        );
        this.track(result.record);
        if (result.changed && result.record !== undefined) {
          await this.messenger.send(
            result.record.reference,
            [MessageFactory.text(MESSAGES.queued)],
            { role: 'bot' },
            'Waiting for an agent.',
          );
        }
        return;
      }
      case 'agentJoined': {
        const name = event.agent.name ?? MESSAGES.agentFallbackName;
        const join = { announce: false };
        const result = await this.records.transition(
          id,
          'connected',
          'agent joined',
          (r) => {
            join.announce = r.state !== 'connected' || r.agentName !== name;
            r.agentName = name;
            r.connectedAt ??= now;
            r.lastActivityAt = now;
            r.queueDeadline = undefined;
            this.armIdle(r, now);
          },
          ACTIVE_STATES,
          generation,
        );
        this.track(result.record);
        if (result.changed && join.announce && result.record !== undefined) {
          const joined = MessageFactory.suggestedActions([MESSAGES.endChatAction], MESSAGES.agentJoined(name));
          await this.messenger.send(result.record.reference, [joined], { role: 'bot' }, `Agent ${name} joined.`);
        }
        return;
      }
      case 'agentMessage':
        await this.deliverAgentMessage(id, generation, event, now);
        return;
      case 'agentTyping': {
        const local = this.chats.get(id);
        if (local !== undefined) await this.messenger.typing(local.reference);
        return;
      }
      case 'agentLeft': {
        if (!event.transfer) {
          const record = await this.records.get(id);
          if (record !== undefined)
            await this.messenger.note(record.reference, `Agent ${event.agent.name ?? ''} left.`.replace('  ', ' '));
          return;
        }
        const result = await this.records.transition(
          id,
          'queued',
          'agent transferred the chat',
          (r) => {
            r.queuedAt = now;
            Object.assign(r, this.queueDeadline(now));
            r.idleDeadline = undefined;
            r.idleWarningAt = undefined;
          },
          ['connected'],
          generation,
        );
        this.track(result.record);
        if (result.changed && result.record !== undefined) {
          await this.messenger.send(
            result.record.reference,
            [MessageFactory.text(MESSAGES.agentTransferred)],
            { role: 'bot' },
            'Transferred to another agent.',
          );
        }
        return;
      }
      case 'ended':
        await this.finish(
          id,
          PROVIDER_END_REASONS[event.reason],
          `genesys ended the chat (${event.reason})`,
          generation,
        );
        this.chats.delete(id);
        return;
      case 'error':
        this.logger.warn({ err: event.error, recordId: id, code: event.error.code }, 'live chat reported an error');
        return;
    }
  }

  private async deliverAgentMessage(
    id: string,
    generation: string,
    event: Extract<ChatEvent, { kind: 'agentMessage' }>,
    now: number,
  ): Promise<void> {
    const record = await this.records.get(id);
    if (record === undefined || !ACTIVE_STATES.includes(record.state) || record.generation !== generation) return;
    if (record.owner !== this.settings.instanceId) {
      // Another instance owns this chat now: stop listening here so nothing is delivered twice.
      this.logger.info(
        { conversationId: record.conversationId, owner: record.owner },
        'chat owned elsewhere; detaching',
      );
      await this.detachLocal(id);
      return;
    }
    if (record.deliveredMessageIds.includes(event.id)) return;
    const activities: Partial<Activity>[] = [];
    const images: Attachment[] = [];
    const links: string[] = [];
    for (const a of event.attachments) {
      if (a.contentType?.startsWith('image/') === true) {
        images.push({
          contentType: a.contentType,
          contentUrl: a.url,
          ...(a.name === undefined ? {} : { name: a.name }),
        });
      } else {
        links.push(`${MESSAGES.agentAttachment(a.name ?? 'file')}: ${a.url}`);
      }
    }
    const text = [event.text, ...links].filter((t) => t.trim() !== '').join('\n\n');
    if (text !== '' || images.length > 0) {
      const message = MessageFactory.text(text);
      if (images.length > 0) message.attachments = images;
      activities.push(message);
    }
    const agentName = event.agent.name ?? record.agentName;
    await this.deliverWithRetry(record, activities, {
      role: 'agent',
      ...(agentName === undefined ? {} : { name: agentName }),
    });
    this.track(
      await this.records.update(id, (r) => {
        r.deliveredMessageIds = [...r.deliveredMessageIds.filter((m) => m !== event.id), event.id].slice(
          -MAX_DELIVERED_IDS,
        );
        r.lastDeliveredAt = event.time;
        r.lastActivityAt = now;
        this.armIdle(r, now);
        return r;
      }),
    );
  }

  /** Sends proactively, retrying what the channel refused (throttling, outages) a few times. */
  private async deliverWithRetry(
    record: HandoffRecord,
    activities: Partial<Activity>[],
    speaker: { role: 'agent'; name?: string },
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.messenger.send(record.reference, activities, speaker);
        return;
      } catch (err) {
        const wait = DELIVERY_RETRY_DELAYS_MS[attempt];
        if (wait === undefined || this.stopped) throw err;
        this.logger.warn(
          { err, conversationId: record.conversationId, attempt: attempt + 1 },
          'channel refused an agent message; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /**
   * Moves a record to `ended` for `reason` if it is still in one of the `from` states (and of
   * `generation`, when given). Returns the ended record when this call ended it, else `undefined`.
   */
  private async endRecord(
    id: string,
    reason: HandoffEndReason,
    detail: string,
    from: readonly HandoffState[] = ACTIVE_STATES,
    generation?: string,
  ): Promise<HandoffRecord | undefined> {
    const result = await this.records.transition(
      id,
      'ended',
      detail,
      (r) => {
        r.endReason = reason;
        clearTimers(r);
      },
      from,
      generation,
    );
    return result.changed ? result.record : undefined;
  }

  /** Tells the user why the chat ended; the bot answers again from the next message. */
  private async announceEnd(reference: Partial<ConversationReference>, reason: HandoffEndReason): Promise<void> {
    await this.messenger.send(
      reference,
      [MessageFactory.text(END_MESSAGES[reason])],
      { role: 'bot' },
      `Live chat ended (${reason}).`,
    );
  }

  private async finish(id: string, reason: HandoffEndReason, detail: string, generation?: string): Promise<void> {
    const ended = await this.endRecord(id, reason, detail, ACTIVE_STATES, generation);
    if (ended !== undefined) await this.announceEnd(ended.reference, reason);
  }

  /** Ends the chat on Genesys (guest side): through the local session or, if another instance holds it, detached. */
  private async closeOnGenesys(record: HandoffRecord): Promise<void> {
    const local = this.chats.get(record.id);
    this.chats.delete(record.id);
    try {
      if (local?.session !== undefined) await local.session.end();
      else if (record.resumeData !== undefined && this.provider !== undefined)
        await this.provider.endDetached(record.resumeData);
      return;
    } catch (err) {
      this.logger.warn(
        { err, conversationId: record.conversationId },
        'could not end the chat on Genesys; trying once more on a new connection',
      );
    }
    // Stop listening on the old connection, then try once more from a fresh one.
    await local?.session?.detach().catch(() => undefined);
    if (record.resumeData === undefined || this.provider === undefined) return;
    await this.provider.endDetached(record.resumeData).catch((err: unknown) => {
      this.logger.warn(
        { err, conversationId: record.conversationId },
        'could not end the chat on Genesys; it will end there by its own timeout',
      );
    });
  }

  /** Keeps the local copy of a record this instance holds, for the timers. */
  private track(record: HandoffRecord | undefined): void {
    if (record === undefined) return;
    const local = this.chats.get(record.id);
    if (local?.generation === record.generation) local.record = record;
  }

  private async runTimers(now: number): Promise<void> {
    let visited = 0;
    for (const [id, local] of [...this.chats]) {
      if (++visited % SWEEP_YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      if (local.record !== undefined && !timerDue(local.record, now)) continue;
      const record = await this.records.get(id);
      this.track(record);
      if (record === undefined || !ACTIVE_STATES.includes(record.state)) {
        await this.detachLocal(id);
        continue;
      }
      if (record.state !== 'connected' && record.queueDeadline !== undefined && record.queueDeadline <= now) {
        if (
          (await this.endRecord(id, 'queueTimeout', 'no agent within the queue timeout', ['requested', 'queued'])) !==
          undefined
        ) {
          await this.closeOnGenesys(record);
          await this.announceEnd(record.reference, 'queueTimeout');
        }
        continue;
      }
      if (record.state === 'connected' && record.idleDeadline !== undefined && record.idleDeadline <= now) {
        if (
          (await this.endRecord(id, 'idleTimeout', 'no message within the idle timeout', ['connected'])) !== undefined
        ) {
          await this.closeOnGenesys(record);
          await this.announceEnd(record.reference, 'idleTimeout');
        }
        continue;
      }
      if (
        record.state === 'connected' &&
        record.idleWarned !== true &&
        record.idleWarningAt !== undefined &&
        record.idleWarningAt <= now
      ) {
        const updated = await this.records.update(id, (r) => {
          if (r.idleWarned === true || r.idleWarningAt === undefined || r.idleWarningAt > now) return undefined;
          r.idleWarned = true;
          return r;
        });
        this.track(updated);
        if (updated?.idleWarned === true && updated.idleDeadline !== undefined) {
          const minutes = Math.max(1, Math.round((updated.idleDeadline - now) / 60_000));
          await this.messenger.send(record.reference, [MessageFactory.text(MESSAGES.idleWarning(minutes))], {
            role: 'bot',
          });
        }
      }
    }
  }

  /** Drops local chats that ended or moved to another instance meanwhile. */
  private async reconcile(): Promise<void> {
    if (this.chats.size === 0) return;
    const mine = new Set((await this.records.listOwnedBy([this.settings.instanceId])).map((r) => r.id));
    for (const id of [...this.chats.keys()]) {
      if (!mine.has(id) && this.chats.get(id)?.session !== undefined) await this.detachLocal(id);
    }
  }

  private async takeOver(startup: boolean, now: number): Promise<void> {
    const beats = await this.records.heartbeats();
    const alive = new Set(beats.filter((b) => b.expiresAt > now).map((b) => b.instanceId));
    alive.add(this.settings.instanceId);
    let candidates: HandoffRecord[];
    const me = this.settings.instanceId;
    if (startup || this.sweeps % FULL_SCAN_EVERY === 0) {
      candidates = (await this.records.listActive()).filter(
        (r) => !alive.has(r.owner) || r.owner === '' || r.owner === me,
      );
    } else {
      const dead = beats.filter((b) => b.expiresAt <= now).map((b) => b.instanceId);
      candidates = await this.records.listOwnedBy(['', me, ...dead]);
    }
    // Chats owned here but not held (dropped after a lapsed heartbeat, or a failed step) are reclaimed too.
    candidates = candidates.filter((r) => !this.chats.has(r.id));
    if (candidates.length === 0) return;
    this.logger.info({ count: candidates.length }, 'taking over live chats of stopped instances');
    // In batches, so the heartbeat timer and live traffic keep running between them.
    for (let start = 0; start < candidates.length && !this.stopped; start += MAX_TAKEOVERS_PER_SWEEP) {
      await forEachLimited(candidates.slice(start, start + MAX_TAKEOVERS_PER_SWEEP), PARALLELISM, async (candidate) => {
        await this.claimAndResume(candidate, alive);
      });
    }
  }

  private async claimAndResume(candidate: HandoffRecord, alive: Set<string>): Promise<void> {
    const me = this.settings.instanceId;
    const claimed = await this.records.update(candidate.id, (r) => {
      const orphan = r.owner === '' || !alive.has(r.owner) || (r.owner === me && !this.chats.has(r.id));
      if (!ACTIVE_STATES.includes(r.state) || !orphan) return undefined;
      r.owner = me;
      return r;
    });
    if (claimed?.owner !== me || !ACTIVE_STATES.includes(claimed.state) || this.provider === undefined) return;
    const log = this.logger.child({ conversationId: claimed.conversationId });
    if (claimed.resumeData === undefined) {
      await this.finish(claimed.id, 'connectionLost', 'the chat was never fully opened');
      return;
    }
    const generation = claimed.generation;
    this.chats.set(claimed.id, { generation, session: undefined, reference: claimed.reference, record: claimed });
    try {
      const session = await this.provider.resumeChat(
        claimed.resumeData,
        {
          deliveredMessageIds: claimed.deliveredMessageIds,
          ...(claimed.lastDeliveredAt === undefined ? {} : { lastDeliveredAt: claimed.lastDeliveredAt }),
        },
        (event) => this.onChatEvent(claimed.id, generation, event),
      );
      const local = this.chats.get(claimed.id);
      if (local?.generation !== generation) {
        await session.detach();
        return;
      }
      local.session = session;
      log.info('live chat resumed');
    } catch (err) {
      if (this.chats.get(claimed.id)?.generation === generation) this.chats.delete(claimed.id);
      if (isGenesysError(err) && err.transient) {
        log.warn({ err }, 'could not resume a live chat yet; releasing it for a later attempt');
        await this.records.update(claimed.id, (r) => (r.owner === me ? { ...r, owner: '' } : undefined));
        return;
      }
      log.warn({ err }, 'live chat cannot be resumed');
      await this.finish(
        claimed.id,
        isGenesysError(err) && err.code === 'sessionExpired' ? 'expired' : 'connectionLost',
        'resume failed',
        generation,
      );
    }
  }

  private async release(id: string): Promise<void> {
    await this.detachLocal(id);
    await this.records
      .update(id, (r) =>
        r.owner === this.settings.instanceId && ACTIVE_STATES.includes(r.state) ? { ...r, owner: '' } : undefined,
      )
      .catch((err: unknown) => {
        this.logger.warn({ err, recordId: id }, 'could not release a live chat');
      });
  }

  private async detachLocal(id: string): Promise<void> {
    const local = this.chats.get(id);
    this.chats.delete(id);
    if (local?.session === undefined) return;
    await local.session.detach().catch((err: unknown) => {
      this.logger.debug({ err, recordId: id }, 'detach failed');
    });
  }
}

/** Whether a chat has a timer due (or has left the active states) according to `record`. */
function timerDue(record: HandoffRecord, now: number): boolean {
  if (!ACTIVE_STATES.includes(record.state)) return true;
  if (record.state !== 'connected') return record.queueDeadline !== undefined && record.queueDeadline <= now;
  if (record.idleDeadline !== undefined && record.idleDeadline <= now) return true;
  return record.idleWarned !== true && record.idleWarningAt !== undefined && record.idleWarningAt <= now;
}

function clearTimers(record: HandoffRecord): void {
  record.queueDeadline = undefined;
  record.idleDeadline = undefined;
  record.idleWarningAt = undefined;
}

/** Channels whose attachment URLs only open with the bot's credentials. */
const AUTH_ATTACHMENT_CHANNELS = new Set(['msteams', 'skype', 'directline', 'webchat']);

/** The text sent to the agent for a user message: its text plus one line per attachment link. */
export function composeUserText(activity: Partial<Activity>): string {
  const parts: string[] = [];
  const text = activityText(activity);
  if (text !== '') parts.push(text);
  for (const attachment of activity.attachments ?? []) {
    if (typeof attachment.contentUrl !== 'string' || attachment.contentUrl === '') continue;
    const url = attachment.contentUrl;
    const needsAuth =
      AUTH_ATTACHMENT_CHANNELS.has(activity.channelId ?? '') || /botframework\.com|trafficmanager\.net/.test(url);
    parts.push(MESSAGES.attachmentNote(attachment.name ?? attachment.contentType, url, needsAuth));
  }
  return parts.join('\n');
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  });
  await Promise.all(workers);
}
