import { type Activity, type Attachment, type ConversationReference, MessageFactory } from 'botbuilder';
import type { ChatEndReason, ChatEvent, ChatListener } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { MESSAGES } from '../resources/messages';
import type { Clock } from './clock';
import type { ChatEnder } from './chatEnder';
import { ACTIVE_STATES, MAX_DELIVERED_IDS, type HandoffEndReason, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';
import type { ChatMessenger } from './proactiveMessenger';

/** The text the user sees for each way a live chat ends. */
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

/** How a provider's end reason is told to the user. */
const PROVIDER_END_REASONS: Record<ChatEndReason, HandoffEndReason> = {
  agentEnded: 'agentEnded',
  guestEnded: 'userEnded',
  expired: 'expired',
  cleared: 'agentEnded',
  failed: 'connectionLost',
};

/** Waits before retrying a proactive message the channel did not accept. */
const DELIVERY_RETRY_DELAYS_MS = [500, 2_000, 5_000];

/** The bot's own notices about a live chat that are not answers to a user turn: end texts and the idle warning. */
export class ChatNotices {
  constructor(private readonly messenger: ChatMessenger) {}

  /** Tells the user why the chat ended; the bot answers again from the next message. */
  async announceEnd(reference: Partial<ConversationReference>, reason: HandoffEndReason): Promise<void> {
    await this.messenger.send(
      reference,
      [MessageFactory.text(END_MESSAGES[reason])],
      { role: 'bot' },
      `Live chat ended (${reason}).`,
    );
  }

  /** Warns the user that the chat ends after `minutes` more without a message. */
  async warnIdle(reference: Partial<ConversationReference>, minutes: number): Promise<void> {
    await this.messenger.send(reference, [MessageFactory.text(MESSAGES.idleWarning(minutes))], { role: 'bot' });
  }
}

/**
 * Agent → user: turns the events of a held chat (queued, agent joined, agent messages and
 * attachments, typing, transfer, agent left, ended) into record transitions and channel messages.
 * An agent message becomes a channel message in {@link AgentToUserRelay.deliverAgentMessage}.
 */
export class AgentToUserRelay {
  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly messenger: ChatMessenger,
    private readonly timers: HandoffTimers,
    private readonly ender: ChatEnder,
    private readonly settings: HandoffSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The listener to open or resume the chat `id` of `generation` with; its work counts as pending until done. */
  listenerFor(id: string, generation: string): ChatListener {
    return (event) => this.chats.trackWork(this.onChatEvent(id, generation, event));
  }

  /** Handles one event of the chat `id` of `generation`; events of chats not held here are ignored. */
  async onChatEvent(id: string, generation: string, event: ChatEvent): Promise<void> {
    if (!this.chats.holds(id, generation)) {
      // An event of a chat this instance no longer holds (ended, released, or an earlier chat).
      this.logger.debug({ recordId: id, kind: event.kind }, 'ignoring an event of a chat not held here');
      return;
    }
    const now = this.clock.now();
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
        this.chats.track(result.record);
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
            this.timers.armIdle(r, now);
          },
          ACTIVE_STATES,
          generation,
        );
        this.chats.track(result.record);
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
            this.timers.rearmQueue(r, now);
          },
          ['connected'],
          generation,
        );
        this.chats.track(result.record);
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
        await this.ender.endLiveChat({
          id,
          reason: PROVIDER_END_REASONS[event.reason],
          detail: `genesys ended the chat (${event.reason})`,
          generation,
          closeOnGenesys: false,
          tellUser: true,
          ...(event.wrapup === undefined ? {} : { wrapup: event.wrapup }),
        });
        this.chats.delete(id);
        return;
      case 'error':
        this.logger.warn({ err: event.error, recordId: id, code: event.error.code }, 'live chat reported an error');
        return;
    }
  }

  /**
   * Delivers an agent message to the user once: skipped when already delivered (by id) or when
   * another instance owns the chat; images become attachments, other files links; the delivered id,
   * time and the idle deadline are stored after the send.
   */
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
      await this.chats.detach(id);
      return;
    }
    if (record.deliveredMessageIds.includes(event.id)) return;
    const activities = agentActivities(event);
    const agentName = event.agent.name ?? record.agentName;
    const session = this.chats.get(id)?.session;
    try {
      await this.deliverWithRetry(record, activities, {
        role: 'agent',
        ...(agentName === undefined ? {} : { name: agentName }),
      });
    } catch (err) {
      await session?.acknowledge?.(event.id, { delivered: false, reason: 'failed', detail: 'the channel refused it' });
      throw err;
    }
    await session?.acknowledge?.(event.id, { delivered: true });
    this.chats.track(
      await this.records.update(id, (r) => {
        r.deliveredMessageIds = [...r.deliveredMessageIds.filter((m) => m !== event.id), event.id].slice(
          -MAX_DELIVERED_IDS,
        );
        r.lastDeliveredAt = event.time;
        r.lastActivityAt = now;
        this.timers.armIdle(r, now);
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
        if (wait === undefined || this.chats.stopped) throw err;
        this.logger.warn(
          { err, conversationId: record.conversationId, attempt: attempt + 1 },
          'channel refused an agent message; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
}

/** The channel activities of an agent message: its text plus file links, with images as attachments. */
export function agentActivities(event: Extract<ChatEvent, { kind: 'agentMessage' }>): Partial<Activity>[] {
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
  if (text === '' && images.length === 0) return [];
  const message = MessageFactory.text(text);
  if (images.length > 0) message.attachments = images;
  return [message];
}
