import type { Activity } from 'botbuilder';
import { activityText } from '../activities';
import { isGenesysError, type GenesysErrorCode } from '../genesys/genesysError';
import type { HandoffProvider } from '../genesys/handoffProvider';
import { isRecord } from '../json';
import type { Logger } from '../logger';
import { AGENT_TEXTS, MESSAGES } from '../resources/messages';
import type { ChatNotices } from './agentToUserRelay';
import type { Clock } from './clock';
import { ACTIVE_STATES, MAX_INBOUND_IDS, MAX_OUTBOX, type HandoffRecord, type OutboxEntry } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffSettings } from './handoffSettings';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';

/** The sentence (a key of `Messages`, src/resources/messages.ts) that tells the user about a message the agent did not get. */
export type UndeliveredNotice = 'messageTooLongForAgent' | 'messageDetailsTooLarge' | 'messageAfterAgentEnded';

/** Failures the user can act on get their own sentence instead of "please send it again". */
const UNDELIVERED_NOTICES: Partial<Record<GenesysErrorCode, UndeliveredNotice>> = {
  messageTooLong: 'messageTooLongForAgent',
  attributesTooLarge: 'messageDetailsTooLarge',
  sessionReadOnly: 'messageAfterAgentEnded',
};

/** User activity moves the idle deadline in storage at most this often (the timeout is minutes long). */
const ACTIVITY_WRITE_INTERVAL_MS = 30_000;
/** How long an instance's claim to send a chat's outbox holds without progress (ms). */
export const OUTBOX_CLAIM_MS = 60_000;
/** While waiting for an agent, every this many messages (starting with the first) are acknowledged. */
const WAITING_ACK_EVERY = 3;

/** What became of a user message handed to {@link UserToAgentRelay.accept}. */
export type AcceptOutcome =
  /** In the outbox; `acknowledge` when the user should be told it was passed on (while waiting). */
  | { status: 'queued'; acknowledge: boolean }
  /** A redelivery of an activity already taken: nothing was done. */
  | { status: 'duplicate' }
  /** Nothing to send (no text, no attachment to link). */
  | { status: 'empty' }
  /** The outbox is full: the message was not taken (the caller tells the user). */
  | { status: 'full' }
  /** The chat ended meanwhile: the message belongs to the bot again. */
  | { status: 'ended' };

/**
 * User → agent, through the chat's outbox: {@link UserToAgentRelay.accept} adds a message to the
 * outbox in the live-chat record (one ETag-guarded write that also de-duplicates by activity id and
 * counts the message as activity) and returns at once; the instance that holds the outbox claim
 * sends the entries to Genesys in order, removing each once Genesys acknowledged it, through the
 * connection held here or a detached send. A message Genesys refused (after the provider's own
 * retries) is reported to the user once, quoted, and the outbox moves on. An instance that dies
 * mid-send leaves its entries in the record; another one resumes them once the claim lapses.
 */
export class UserToAgentRelay {
  private readonly draining = new Map<string, { again: boolean }>();

  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly provider: HandoffProvider | undefined,
    private readonly timers: HandoffTimers,
    private readonly notices: ChatNotices,
    private readonly settings: HandoffSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes a user message for the agent (text and attachment links, or `text` when given): queues
   * it in the outbox and starts sending unless another instance is. Messages written while the
   * chat opens wait in the outbox and follow the introduction.
   */
  async accept(
    record: HandoffRecord,
    activity: Partial<Activity>,
    text = composeUserText(activity),
  ): Promise<AcceptOutcome> {
    const activityId = typeof activity.id === 'string' ? activity.id : '';
    const me = this.settings.instanceId;
    const now = this.clock.now();
    const result: { outcome: AcceptOutcome; drain: boolean } = { outcome: { status: 'ended' }, drain: false };
    const updated = await this.records.update(record.id, (r) => {
      result.drain = false;
      if (r.generation !== record.generation || !ACTIVE_STATES.includes(r.state)) {
        result.outcome = { status: 'ended' };
        return undefined;
      }
      if (activityId !== '' && (r.inboundIds ?? []).includes(activityId)) {
        result.outcome = { status: 'duplicate' };
        return undefined;
      }
      if (text === '') {
        result.outcome = { status: 'empty' };
        return undefined;
      }
      if (activityId !== '') r.inboundIds = [...(r.inboundIds ?? []), activityId].slice(-MAX_INBOUND_IDS);
      const outbox = r.outbox ?? [];
      if (outbox.length >= MAX_OUTBOX) {
        result.outcome = { status: 'full' };
        return r;
      }
      r.outbox = [...outbox, { activityId, text, at: now }];
      let acknowledge = false;
      if (r.state !== 'connected') {
        r.waitingMessages = (r.waitingMessages ?? 0) + 1;
        acknowledge = r.waitingMessages % WAITING_ACK_EVERY === 1;
      } else if (now - r.lastActivityAt >= ACTIVITY_WRITE_INTERVAL_MS || r.idleWarned === true) {
        r.lastActivityAt = now;
        this.timers.armIdle(r, now);
      }
      if (r.outboxDrainer === undefined || r.outboxDrainer === me || (r.outboxDrainUntil ?? 0) <= now) {
        r.outboxDrainer = me;
        r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
        result.drain = true;
      }
      result.outcome = { status: 'queued', acknowledge };
      return r;
    });
    this.chats.track(updated);
    if (result.drain && updated !== undefined) this.kick(updated);
    return result.outcome;
  }

  /**
   * Sends what waits in the outbox of chat `id`, claiming it when nobody else holds a live claim
   * (or always, with `force`: the instance that just opened or took over the chat).
   */
  async resumeOutbox(id: string, force = false): Promise<void> {
    const me = this.settings.instanceId;
    const now = this.clock.now();
    const claimed = await this.records.update(id, (r) => {
      if (!ACTIVE_STATES.includes(r.state)) return undefined;
      if ((r.outbox ?? []).length === 0) {
        // Nothing to send: give up a claim held here (taken when the chat was begun) so any instance may send.
        if (r.outboxDrainer !== me) return undefined;
        r.outboxDrainer = undefined;
        r.outboxDrainUntil = undefined;
        return r;
      }
      const free = r.outboxDrainer === undefined || r.outboxDrainer === me || (r.outboxDrainUntil ?? 0) <= now;
      if (!free && !force) return undefined;
      r.outboxDrainer = me;
      r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
      return r;
    });
    this.chats.track(claimed);
    if (claimed?.outboxDrainer === me && (claimed.outbox ?? []).length > 0) this.kick(claimed);
  }

  /** Tells the agent the user is typing (only from the instance that holds the chat). */
  async relayUserTyping(record: HandoffRecord): Promise<void> {
    const session = this.chats.get(record.id)?.session;
    if (session === undefined) return;
    await session.sendTyping().catch((err: unknown) => {
      this.logger.debug({ err, conversationId: record.conversationId }, 'could not relay typing');
    });
  }

  /** Starts the send loop of a chat, or asks the running one to look again. */
  private kick(record: HandoffRecord): void {
    const running = this.draining.get(record.id);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.draining.set(record.id, state);
    void this.chats.trackWork(
      this.drain(record, state)
        .catch((err: unknown) => {
          this.logger.warn(
            { err, recordId: record.id },
            'sending the outbox stopped; it resumes with the next message',
          );
        })
        .finally(() => {
          this.draining.delete(record.id);
        }),
    );
  }

  /** Sends the outbox head by head while this instance holds the claim and the chat can take messages. */
  private async drain(first: HandoffRecord, state: { again: boolean }): Promise<void> {
    const me = this.settings.instanceId;
    let record: HandoffRecord | undefined = first;
    for (;;) {
      const head: OutboxEntry | undefined = record?.outbox?.[0];
      const sendable =
        record !== undefined &&
        ACTIVE_STATES.includes(record.state) &&
        record.outboxDrainer === me &&
        record.resumeData !== undefined;
      if (record === undefined || head === undefined || !sendable || this.chats.stopped) {
        // Empty, claimed elsewhere, or still opening (the instance opening the chat sends once it is open).
        if (!state.again || this.chats.stopped) return;
        state.again = false;
        record = await this.records.current(first.id);
        continue;
      }
      const sent = await this.sendToGenesys(record, head.text);
      // Stopped meanwhile (shutdown or halt): the entry stays in the outbox for the next instance.
      if (sent.status === 'ended' || (sent.status === 'refused' && this.stopped())) return;
      if (sent.status === 'refused')
        await this.notices.notDelivered(record.id, record.reference, head.text, sent.notice);
      // The removal may ride on the record's next write (HandoffRecords `deferMaxMs`): until then
      // the entry stays in storage and a crash only means it is sent again.
      const now = this.clock.now();
      await this.records.defer(
        record.id,
        (r) => {
          removeSentHead(r, head, me, now);
        },
        (written) => {
          // Another instance may have queued a message while the claim looked held here.
          if ((written.outbox ?? []).length > 0 && written.outboxDrainer === undefined && !this.chats.stopped)
            void this.resumeOutbox(written.id).catch((err: unknown) => {
              this.logger.warn({ err, recordId: written.id }, 'could not resume the outbox');
            });
        },
      );
      record = await this.records.current(record.id);
      this.chats.track(record);
    }
  }

  /** True once the instance stopped (read afresh: it changes while a send is awaited). */
  private stopped(): boolean {
    return this.chats.stopped;
  }

  /**
   * Sends one outbox entry to Genesys: `sent`, `refused` (after the provider's retries) or `ended`
   * (the chat is over). A refusal the user can act on (too long, details too large, a session
   * Genesys made read-only) carries the sentence that tells them.
   */
  private async sendToGenesys(
    record: HandoffRecord,
    text: string,
  ): Promise<{ status: 'sent' | 'refused' | 'ended'; notice?: UndeliveredNotice }> {
    const log = this.logger.child({ conversationId: record.conversationId });
    try {
      const local = this.chats.get(record.id);
      if (local?.session !== undefined && local.generation === record.generation) await local.session.sendText(text);
      else if (record.resumeData !== undefined && this.provider !== undefined)
        await this.provider.sendDetached(record.resumeData, text);
      else return { status: 'ended' };
      return { status: 'sent' };
    } catch (err) {
      const notice = isGenesysError(err) ? UNDELIVERED_NOTICES[err.code] : undefined;
      const current = await this.records.get(record.id);
      if (current?.generation !== record.generation || !ACTIVE_STATES.includes(current.state)) {
        // Ended meanwhile; a read-only refusal means the user wrote after the agent ended: say so once.
        if (notice === 'messageAfterAgentEnded')
          await this.notices.notDelivered(record.id, record.reference, text, notice);
        return { status: 'ended' };
      }
      log.warn({ err }, 'could not relay a user message to the agent');
      return notice === undefined ? { status: 'refused' } : { status: 'refused', notice };
    }
  }
}

/**
 * Removes the sent entry `head` from the outbox when it is still first, and gives up the claim of
 * `me` once the outbox is empty (else renews it from `now`).
 */
function removeSentHead(r: HandoffRecord, head: OutboxEntry, me: string, now: number): void {
  const outbox = r.outbox ?? [];
  if (outbox[0]?.at === head.at && outbox[0].activityId === head.activityId) r.outbox = outbox.slice(1);
  if ((r.outbox ?? []).length === 0) {
    r.outbox = [];
    if (r.outboxDrainer === me) {
      r.outboxDrainer = undefined;
      r.outboxDrainUntil = undefined;
    }
  } else if (r.outboxDrainer === me) {
    r.outboxDrainUntil = now + OUTBOX_CLAIM_MS;
  }
}

/** Channels whose attachment URLs only open with the bot's credentials. */
const AUTH_ATTACHMENT_CHANNELS = new Set(['msteams', 'skype', 'directline', 'webchat']);

/**
 * The text sent to the agent for a user message: its text plus one line per attachment. Shapes
 * channels really send: an attachment with a URL becomes a link (noting channels whose links need
 * the customer's sign-in); a Facebook sticker or "like" (`channelData.message.sticker_id`) becomes
 * `[Sticker] url`; a card or other content without a URL is named as not viewable; Teams' `text/html`
 * copy of the text and empty attachments are left out. Never returns text for an empty message.
 */
export function composeUserText(activity: Partial<Activity>): string {
  const parts: string[] = [];
  const text = activityText(activity);
  if (text !== '') parts.push(text);
  const sticker = isSticker(activity);
  for (const attachment of activity.attachments ?? []) {
    const url = typeof attachment.contentUrl === 'string' ? attachment.contentUrl : '';
    if (url === '') {
      if (attachment.content !== undefined && attachment.contentType !== 'text/html')
        parts.push(AGENT_TEXTS.userAttachmentWithoutLink(attachment.contentType));
      continue;
    }
    if (sticker) {
      parts.push(AGENT_TEXTS.userSticker(url));
      continue;
    }
    const needsAuth =
      AUTH_ATTACHMENT_CHANNELS.has(activity.channelId ?? '') || /botframework\.com|trafficmanager\.net/.test(url);
    parts.push(MESSAGES.attachmentNote(attachment.name ?? attachment.contentType, url, needsAuth));
  }
  return parts.join('\n');
}

/** True for a Facebook sticker or "like" (`channelData.message.sticker_id`, as the Messenger webhook sends it). */
function isSticker(activity: Partial<Activity>): boolean {
  const data: unknown = activity.channelData;
  if (!isRecord(data) || !isRecord(data.message)) return false;
  return data.message.sticker_id !== undefined;
}
