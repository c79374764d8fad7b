import type { ChatSession, HandoffProvider, WrapUp } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { telemetry } from '../telemetry/telemetry';
import type { ChatNotices } from './agentToUserRelay';
import { ACTIVE_STATES, type HandoffEndReason, type HandoffRecord, type HandoffState } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import { clearTimers } from './handoffTimers';
import type { LocalChats } from './localChats';

/** One way a live chat ends, as {@link ChatEnder.endLiveChat} takes it. */
export interface EndLiveChat {
  /** Record id of the chat. */
  id: string;
  reason: HandoffEndReason;
  /** Why, for the record's history. */
  detail: string;
  /** States the chat may be in to end it this way (default: the active states). */
  from?: readonly HandoffState[];
  /** Only this generation of the chat is ended, when given. */
  generation?: string;
  /** Also end the chat on Genesys (guest side): set unless Genesys ended it itself. */
  closeOnGenesys: boolean;
  /** Tell the user why it ended: set unless the user ended it in their own turn (the bot answers there). */
  tellUser: boolean;
  /**
   * Sent to the agent just before the chat is closed on Genesys (best effort); where ending sends
   * the agent a line of its own (Open Messaging), this line is sent instead, so the agent gets one.
   */
  agentNotice?: string;
  /** The agent's wrap-up, kept on the record. */
  wrapup?: WrapUp;
}

/**
 * The one path every live chat ends through (user, queue or idle timeout, Genesys, failed resume):
 * the record moves to `ended` if still eligible, then (only when this call ended it) the chat is
 * closed on Genesys and the user told, as asked.
 */
export class ChatEnder {
  constructor(
    private readonly chats: LocalChats,
    private readonly records: HandoffRecords,
    private readonly provider: HandoffProvider | undefined,
    private readonly notices: ChatNotices,
    private readonly logger: Logger,
  ) {}

  /** Ends a live chat; returns the ended record when this call ended it, else `undefined` (ended already). */
  async endLiveChat(end: EndLiveChat): Promise<HandoffRecord | undefined> {
    const result = await this.records.transition(
      end.id,
      'ended',
      end.detail,
      (r) => {
        r.endReason = end.reason;
        if (end.wrapup !== undefined) r.wrapup = { ...end.wrapup };
        clearTimers(r);
      },
      end.from ?? ACTIVE_STATES,
      end.generation,
    );
    if (!result.changed || result.record === undefined) return undefined;
    const ended = result.record;
    telemetry().chatEnded(end.reason);
    if (ended.connectedAt === undefined && (end.reason === 'userCancelled' || end.reason === 'userEnded'))
      telemetry().abandonedWhileQueued();
    if (end.closeOnGenesys) await this.closeOnGenesys(ended, end.agentNotice);
    if (end.tellUser) await this.notices.announceEnd(ended.id, ended.reference, end.reason);
    return ended;
  }

  /** Ends the chat on Genesys (guest side): through the local session or, if another instance holds it, detached. */
  private async closeOnGenesys(record: HandoffRecord, agentNotice: string | undefined): Promise<void> {
    const local = this.chats.get(record.id);
    this.chats.delete(record.id);
    const endTellsAgent = this.provider?.endTellsAgent === true;
    if (agentNotice !== undefined && !endTellsAgent) await this.tellAgent(record, local?.session, agentNotice);
    const notice = endTellsAgent ? agentNotice : undefined;
    try {
      if (local?.session !== undefined) await local.session.end(notice);
      else if (record.resumeData !== undefined && this.provider !== undefined)
        await this.provider.endDetached(record.resumeData, notice);
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
    await this.provider.endDetached(record.resumeData, notice).catch((err: unknown) => {
      this.logger.warn(
        { err, conversationId: record.conversationId },
        'could not end the chat on Genesys; it will end there by its own timeout',
      );
    });
  }

  /** Sends a last text to the agent before the chat is closed; a failure only is logged. */
  private async tellAgent(record: HandoffRecord, session: ChatSession | undefined, text: string): Promise<void> {
    try {
      if (session !== undefined) await session.sendText(text);
      else if (record.resumeData !== undefined && this.provider !== undefined)
        await this.provider.sendDetached(record.resumeData, text);
    } catch (err) {
      this.logger.warn({ err, conversationId: record.conversationId }, 'could not tell the agent why the chat ends');
    }
  }
}
