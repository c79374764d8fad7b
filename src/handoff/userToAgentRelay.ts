import type { Activity } from 'botbuilder';
import { activityText } from '../activities';
import type { AttachmentLink, HandoffProvider } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
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
    try {
      const local = this.chats.get(record.id);
      const files = publicAttachments(activity);
      if (local?.session?.sendMessage !== undefined && files.length > 0) {
        // Files Genesys can fetch go as files; the text keeps their links too.
        await local.session.sendMessage(text, files);
      } else if (local?.session !== undefined) {
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

/** Whether an attachment URL only opens with the bot's credentials. */
function needsAuth(activity: Partial<Activity>, url: string): boolean {
  return AUTH_ATTACHMENT_CHANNELS.has(activity.channelId ?? '') || /botframework\.com|trafficmanager\.net/.test(url);
}

/** The user's attachments anyone can fetch by URL (https only). */
export function publicAttachments(activity: Partial<Activity>): AttachmentLink[] {
  return (activity.attachments ?? []).flatMap((a) =>
    typeof a.contentUrl === 'string' && a.contentUrl.startsWith('https://') && !needsAuth(activity, a.contentUrl)
      ? [
          {
            url: a.contentUrl,
            ...(a.name === undefined ? {} : { name: a.name }),
            contentType: a.contentType,
          },
        ]
      : [],
  );
}

/** The text sent to the agent for a user message: its text plus one line per attachment link. */
export function composeUserText(activity: Partial<Activity>): string {
  const parts: string[] = [];
  const text = activityText(activity);
  if (text !== '') parts.push(text);
  for (const attachment of activity.attachments ?? []) {
    if (typeof attachment.contentUrl !== 'string' || attachment.contentUrl === '') continue;
    const url = attachment.contentUrl;
    parts.push(MESSAGES.attachmentNote(attachment.name ?? attachment.contentType, url, needsAuth(activity, url)));
  }
  return parts.join('\n');
}
