import { type Activity, type ConversationReference, MessageFactory } from 'botbuilder';
import { channelProfile, renderAgentContent } from '../channels';
import type { FileConsentContextSigner } from '../channels/outbound/fileConsentCard';
import type { AgentContent } from '../content/content';
import { answerOptions } from '../content/answerOptions';
import type {
  ChatEndReason,
  ChatEvent,
  ChatListener,
  DeliveryOutcome as ProviderDeliveryOutcome,
} from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { AGENT_TEXTS, messagesFor, type Messages } from '../resources/messages';
import { agentContentOf } from './agentContent';
import type { UndeliveredNotice } from './userToAgentRelay';
import { SPANS, telemetry } from '../telemetry/telemetry';
import type { Clock } from './clock';
import type { ChatEnder } from './chatEnder';
import { ACTIVE_STATES, MAX_DELIVERED_IDS, type HandoffEndReason, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';
import type { ChannelDelivery, DeliveryOutcome } from './channelDelivery';

/** The text the user sees for each way a live chat ends (an unreachable user is not told: they cannot be). */
/** The text that tells the user why a chat ended, in their language. */
const END_MESSAGES: Record<Exclude<HandoffEndReason, 'userUnreachable'>, (m: Messages) => string> = {
  userEnded: (m) => m.userEnded,
  userCancelled: (m) => m.userCancelled,
  agentEnded: (m) => m.agentEnded,
  notAnswered: (m) => m.notAnswered,
  expired: (m) => m.sessionExpired,
  queueTimeout: (m) => m.queueTimeout,
  idleTimeout: (m) => m.idleTimeout,
  connectionLost: (m) => m.connectionLost,
  refused: (m) => m.handoffRefused,
  startFailed: (m) => m.handoffFailed,
};

/** How a provider's end reason is told to the user. */
const PROVIDER_END_REASONS: Record<ChatEndReason, HandoffEndReason> = {
  agentEnded: 'agentEnded',
  readOnly: 'agentEnded',
  guestEnded: 'userEnded',
  expired: 'expired',
  cleared: 'agentEnded',
  failed: 'connectionLost',
};

/** Provider events that only inform the user: the chat goes on. */
export type OngoingChatNotice = Extract<ChatEvent, { kind: 'linkDown' | 'linkRestored' | 'sessionExpiring' }>;

/** The user's text and the transcript note of an {@link OngoingChatNotice}. */
function ongoingNoticeText(event: OngoingChatNotice, locale?: string): { text: string; note: string } {
  const MESSAGES = messagesFor(locale);
  switch (event.kind) {
    case 'linkDown':
      return { text: MESSAGES.linkDown, note: 'Trouble reaching the agent; still reconnecting.' };
    case 'linkRestored':
      return { text: MESSAGES.linkRestored, note: 'Reconnected to the agent.' };
    case 'sessionExpiring':
      return {
        text: MESSAGES.sessionExpiring(Math.max(1, Math.ceil(event.expiresInSeconds / 60))),
        note: `The Genesys session expires in ${event.expiresInSeconds} s without a message.`,
      };
  }
}

/**
 * The bot's own notices about a live chat that are not answers to a user turn: end texts, the idle
 * warning, and a user message that could not reach the agent. Each is sent with retries and
 * returns its outcome. (Notices are not put on the chat's event queue: the end of a chat is itself
 * handled on that queue.)
 */
export class ChatNotices {
  constructor(private readonly delivery: ChannelDelivery) {}

  /** Tells the user why the chat ended; the bot answers again from the next message. */
  async announceEnd(
    recordId: string,
    reference: Partial<ConversationReference>,
    reason: HandoffEndReason,
  ): Promise<DeliveryOutcome | undefined> {
    if (reason === 'userUnreachable') return undefined;
    const text = END_MESSAGES[reason](messagesFor(reference.locale));
    return this.delivery.send(
      recordId,
      reference,
      [MessageFactory.text(text)],
      { role: 'bot' },
      `Live chat ended (${reason}).`,
    );
  }

  /** Warns the user that the chat ends after `minutes` more without a message. */
  warnIdle(recordId: string, reference: Partial<ConversationReference>, minutes: number): Promise<DeliveryOutcome> {
    return this.delivery.send(
      recordId,
      reference,
      [MessageFactory.text(messagesFor(reference.locale).idleWarning(minutes))],
      {
        role: 'bot',
      },
    );
  }

  /** Tells the user, once, that the message quoted could not be sent to the agent. */
  notDelivered(
    recordId: string,
    reference: Partial<ConversationReference>,
    text: string,
    notice?: UndeliveredNotice,
  ): Promise<DeliveryOutcome> {
    const messages = messagesFor(reference.locale);
    const quote = quoteOf(text);
    const message =
      notice !== undefined
        ? messages[notice]
        : quote === ''
          ? messages.messageNotDelivered
          : messages.messageNotDeliveredQuoted(quote);
    return this.delivery.send(recordId, reference, [MessageFactory.text(message)], { role: 'bot' });
  }
}

/** Longest quote of an undelivered message shown back to the user. */
const QUOTE_MAX_CHARS = 80;

/** The first line of `text`, shortened to {@link QUOTE_MAX_CHARS} with an ellipsis. */
export function quoteOf(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line.length <= QUOTE_MAX_CHARS ? line : `${line.slice(0, QUOTE_MAX_CHARS - 1).trimEnd()}…`;
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
    private readonly delivery: ChannelDelivery,
    private readonly timers: HandoffTimers,
    private readonly ender: ChatEnder,
    private readonly settings: HandoffSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * The listener to open or resume the chat `id` of `generation` with. Events of one chat are
   * handled one after the other, in arrival order, on the chat's delivery queue (other chats do not
   * wait); the work counts as pending until done.
   */
  listenerFor(id: string, generation: string): ChatListener {
    return (event) =>
      this.chats.trackWork(
        this.delivery.inOrder(id, () =>
          telemetry().withSpan(SPANS.genesysEvent, { 'genesys.event.kind': event.kind }, () =>
            this.onChatEvent(id, generation, event),
          ),
        ),
      );
  }

  /**
   * Sends a notice of the chat and returns true when the channel took it; when the user is gone
   * (or unreachable for the whole delivery time limit) the chat ends as `userUnreachable`.
   */
  private async notify(
    record: HandoffRecord,
    activities: Partial<Activity>[],
    speaker: { role: 'bot' } | { role: 'agent'; name?: string },
    systemNote?: string,
    onOutcome?: (outcome: DeliveryOutcome) => Promise<void> | undefined,
    journalRides = false,
  ): Promise<boolean> {
    const outcome = await this.delivery.send(
      record.id,
      record.reference,
      activities,
      speaker,
      systemNote,
      journalRides,
    );
    await onOutcome?.(outcome);
    if (outcome.status === 'delivered') return true;
    if (outcome.status === 'gone' || outcome.status === 'exhausted')
      await this.userUnreachable(record.id, record.generation, outcome.failure.code);
    return false;
  }

  /**
   * The channel no longer reaches the user: ends the chat as `userUnreachable`, telling the agent,
   * and stops listening. Also used when the bot is removed from the conversation.
   */
  async userUnreachable(id: string, generation: string | undefined, why: string): Promise<void> {
    // An ordinary end (a closed page, the bot removed from the conversation), not a fault of the bot.
    this.logger.info({ recordId: id, why }, 'the user can no longer be reached; ending the chat');
    await this.ender.endLiveChat({
      id,
      reason: 'userUnreachable',
      detail: `the channel no longer reaches the user (${why})`,
      ...(generation === undefined ? {} : { generation }),
      closeOnGenesys: true,
      tellUser: false,
      agentNotice: AGENT_TEXTS.userUnreachable,
    });
    this.chats.delete(id);
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
        // A chat of this generation that already left 'requested' never returns to it (a new
        // request begins a new generation): an agent who joined before Genesys reported the queue
        // leaves nothing to do, and no read is needed to be sure.
        const kept = this.chats.get(id)?.record;
        if (kept?.generation === generation && kept.state !== 'requested') return;
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
          telemetry().queued(now - result.record.createdAt);
          await this.notify(
            result.record,
            [MessageFactory.text(messagesFor(result.record.reference.locale).queued)],
            { role: 'bot' },
            'Waiting for an agent.',
          );
        }
        return;
      }
      case 'agentJoined': {
        const name = event.agent.name ?? messagesFor(this.chats.get(id)?.reference.locale).agentFallbackName;
        const join = { announce: false, first: false };
        const result = await this.records.transition(
          id,
          'connected',
          'agent joined',
          (r) => {
            join.announce = r.state !== 'connected' || r.agentName !== name;
            join.first = r.connectedAt === undefined;
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
        if (result.changed && join.first && result.record !== undefined)
          telemetry().agentJoined(now - result.record.createdAt);
        if (result.changed && join.announce && result.record !== undefined) {
          const messages = messagesFor(result.record.reference.locale);
          const joined = MessageFactory.suggestedActions([messages.endChatAction], messages.agentJoined(name));
          await this.notify(result.record, [joined], { role: 'bot' }, `Agent ${name} joined.`);
        }
        return;
      }
      case 'agentMessage':
        await this.deliverAgentMessage(id, generation, event, now);
        return;
      case 'agentTyping': {
        const local = this.chats.get(id);
        if (local !== undefined) await this.delivery.typing(local.reference);
        return;
      }
      case 'agentLeft': {
        if (!event.transfer) {
          const record = await this.records.get(id);
          if (record !== undefined)
            await this.delivery.note(record.reference, `Agent ${event.agent.name ?? ''} left.`.replace('  ', ' '));
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
          await this.notify(
            result.record,
            [MessageFactory.text(messagesFor(result.record.reference.locale).agentTransferred)],
            { role: 'bot' },
            'Transferred to another agent.',
          );
        }
        return;
      }
      case 'ended': {
        // An agent end before any agent took the chat (a decline, a disconnect in the queue) is not
        // "the agent has ended the chat" for the user.
        const mapped = PROVIDER_END_REASONS[event.reason];
        const beforeAgent = mapped === 'agentEnded' && (await this.records.get(id))?.state !== 'connected';
        await this.ender.endLiveChat({
          id,
          reason: beforeAgent ? 'notAnswered' : mapped,
          detail: `genesys ended the chat (${event.reason})`,
          generation,
          closeOnGenesys: false,
          tellUser: true,
          ...(event.wrapup === undefined ? {} : { wrapup: event.wrapup }),
        });
        this.chats.delete(id);
        return;
      }
      case 'error':
        telemetry().genesysError(event.error.code);
        this.logger.warn({ err: event.error, recordId: id, code: event.error.code }, 'live chat reported an error');
        return;
      // Link and session-lifetime notices: the chat goes on, the user is only told.
      case 'linkDown':
      case 'linkRestored':
      case 'sessionExpiring': {
        const record = await this.records.get(id);
        if (record === undefined || record.generation !== generation) return;
        const { text, note } = ongoingNoticeText(event, record.reference.locale);
        await this.notify(record, [MessageFactory.text(text)], { role: 'bot' }, note);
        return;
      }
    }
  }

  /**
   * Delivers an agent message to the user once: skipped when already delivered (by id) or when
   * another instance owns the chat; rendered for the user's channel ({@link renderAgentContent}:
   * text in the channel's format, the agent's name, files, cards, quick replies). Only once the
   * channel accepted it are the delivered id, time, the choices it offers and the idle deadline
   * stored (one write); a user who is gone ends the chat instead (and nothing counts as activity).
   */
  private async deliverAgentMessage(
    id: string,
    generation: string,
    event: Extract<ChatEvent, { kind: 'agentMessage' }>,
    now: number,
  ): Promise<void> {
    // While this instance's lease holds, no other instance can take the chat over: its kept record
    // is current and no read is needed. Past the lease, read: the chat may have moved.
    const record = now < this.chats.leaseValidUntil ? await this.records.current(id) : await this.records.get(id);
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
    const agentName = event.agent.name ?? record.agentName;
    const content = agentContentOf(event);
    const locale = record.reference.locale;
    const slotFormat = {
      ...(locale === undefined ? {} : { locale }),
      ...(record.timeZone === undefined ? {} : { timeZone: record.timeZone }),
    };
    const channels = this.settings.channels;
    const conversationType = record.reference.conversation?.conversationType;
    const channelId = record.reference.channelId ?? record.channelId;
    const signFileConsent = await this.fileConsentSigner(record, channelId, content);
    const activities = renderAgentContent(channelId, content, {
      ...(agentName === undefined ? {} : { agentName }),
      ...(signFileConsent === undefined ? {} : { signFileConsent }),
      namePrefix: channels?.agentNamePrefix ?? '',
      facebookHumanAgentTag: channels?.facebookHumanAgentTag ?? false,
      ...(conversationType === undefined ? {} : { conversationType }),
      ...(locale === undefined ? {} : { locale }),
      slotFormat,
    });
    const options = answerOptions(content, slotFormat);
    const delivered = await this.notify(
      record,
      activities,
      { role: 'agent', ...(agentName === undefined ? {} : { name: agentName }) },
      undefined,
      // Genesys learns what became of the message where the protocol has receipts (Open Messaging).
      (outcome) => this.chats.get(id)?.session?.acknowledge?.(event.id, receiptOf(outcome)),
      // Its transcript entry goes with the delivered-id write below: a crash before that write
      // means the takeover delivers (and journals) it again, so it is never lost nor doubled.
      true,
    );
    if (!delivered) return;
    telemetry().relayLatency('agent_to_user', this.clock.now() - now);
    this.chats.track(
      await this.records.update(id, (r) => {
        r.deliveredMessageIds = [...r.deliveredMessageIds.filter((m) => m !== event.id), event.id].slice(
          -MAX_DELIVERED_IDS,
        );
        r.lastDeliveredAt = event.time;
        r.answerOptions = options.length === 0 ? undefined : options;
        r.lastActivityAt = now;
        this.timers.armIdle(r, now);
        return r;
      }),
    );
  }

  /**
   * The signer of file consent cards for the record's conversation when the message has files and
   * the channel offers them with file consent in this conversation; undefined otherwise, or when
   * the signing key cannot be read (the files are then offered with an "Open" button).
   */
  private async fileConsentSigner(
    record: HandoffRecord,
    channelId: string,
    content: AgentContent,
  ): Promise<FileConsentContextSigner | undefined> {
    const signing = this.settings.fileConsent;
    const conversation = record.reference.conversation;
    if (
      signing === undefined ||
      channelProfile(channelId).fileConsentInPersonalChats !== true ||
      conversation?.conversationType !== 'personal' ||
      !content.items.some((item) => item.kind === 'attachment')
    )
      return undefined;
    return signing.signerFor(conversation.id).catch((err: unknown) => {
      this.logger.warn(
        { err, conversationId: record.conversationId },
        'file consent cards cannot be signed; files are offered as links',
      );
      return undefined;
    });
  }
}

/**
 * The delivery receipt of an agent message: the channel took it, refused this kind of message
 * (`unsupported`), or could not deliver it (`failed`).
 */
export function receiptOf(outcome: DeliveryOutcome): ProviderDeliveryOutcome {
  if (outcome.status === 'delivered') return { delivered: true };
  return {
    delivered: false,
    reason: outcome.status === 'rejected' ? 'unsupported' : 'failed',
    detail: `${outcome.status}: ${outcome.failure.code}`,
  };
}
