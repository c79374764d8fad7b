import type { Activity } from 'botbuilder';
import { activityText } from '../activities';
import type { HandoffProvider } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { errorClass, SPANS, telemetry } from '../telemetry/telemetry';
import { MESSAGES } from '../resources/messages';
import type { Clock } from './clock';
import { ACTIVE_STATES, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffTimers } from './handoffTimers';
import type { LocalChats } from './localChats';

/** User activity moves the idle deadline in storage at most this often (the timeout is minutes long). */
const ACTIVITY_WRITE_INTERVAL_MS = 30_000;

/**
 * User → agent: sends what the user writes (text and attachment links) and typing to the agent,
 * through the connection held here or, when another instance holds the chat, a detached send.
 */
export class UserToAgentRelay {
  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly provider: HandoffProvider | undefined,
    private readonly timers: HandoffTimers,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Relays a user message to the agent. Returns false when it could not be delivered (the caller
   * tells the user). Attachments are sent as links, with a note where the channel's URLs need auth.
   */
  async relayUserMessage(record: HandoffRecord, activity: Partial<Activity>): Promise<boolean> {
    const text = composeUserText(activity);
    if (text === '') return true;
    const log = this.logger.child({ conversationId: record.conversationId });
    const started = this.clock.now();
    const spanAttributes = { 'genesys.provider': record.provider, ...telemetry().personal('message.text', text) };
    try {
      const sent = await telemetry().withSpan(SPANS.genesysSend, spanAttributes, async (span) => {
        const local = this.chats.get(record.id);
        if (local?.session !== undefined) {
          await local.session.sendText(text);
        } else if (record.resumeData !== undefined && this.provider !== undefined) {
          // Re-check: a chat that ended meanwhile must not be reopened by a late message.
          const current = await this.records.get(record.id);
          if (current?.generation !== record.generation || !ACTIVE_STATES.includes(current.state)) return false;
          span.setAttribute('genesys.send.detached', true);
          await this.provider.sendDetached(record.resumeData, text);
        } else {
          log.info({ state: record.state }, 'user wrote before the chat could take messages');
          return false;
        }
        span.addEvent('genesys.acknowledged');
        return true;
      });
      if (!sent) return false;
    } catch (err) {
      telemetry().deliveryFailed('genesys', errorClass(err));
      log.warn({ err }, 'could not relay a user message to the agent');
      return false;
    }
    telemetry().relayLatency('user_to_agent', this.clock.now() - started);
    const now = this.clock.now();
    if (now - record.lastActivityAt < ACTIVITY_WRITE_INTERVAL_MS && record.idleWarned !== true) return true;
    this.chats.track(
      await this.records.update(record.id, (r) => {
        if (!ACTIVE_STATES.includes(r.state)) return undefined;
        r.lastActivityAt = now;
        this.timers.armIdle(r, now);
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
