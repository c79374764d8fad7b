import {
  TeamsActivityHandler,
  type Activity,
  type FileConsentCardResponse,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog } from '../dialogs/mainDialog';
import { activityText } from '../src/activities';
import { isRecord } from '../src/json';
import type { HandoffRecord } from '../src/handoff/handoffRecord';
import { quoteOf } from '../src/handoff/agentToUserRelay';
import type { LiveChats } from '../src/handoff/handoffService';
import { composeUserText } from '../src/handoff/userToAgentRelay';
import type { TeamsFileConsent } from '../src/handoff/teamsFileConsent';
import type { Logger } from '../src/logger';
import { isCancelRequest, isEndChatRequest, recognizeHandoffIntent } from '../src/recognizers/handoffIntentRecognizer';
import { AGENT_TEXTS, messagesFor } from '../src/resources/messages';
import type { StateSaver } from '../src/state/stateSaver';
import { turnJournal } from '../src/transcript/transcriptRecorder';

/**
 * The bot: greets new members, answers through the main dialog, and while a live chat is active
 * routes everything the user sends to the agent instead (the dialogs stay silent). State is saved
 * at the end of every turn.
 *
 * Every turn is short whatever Genesys does: user messages go to the chat's outbox and are sent in
 * the background. A redelivered activity (same id, within the idempotence window) is acknowledged
 * and does nothing else. Edits during a live chat reach the agent as "(edited) …", deletions as a
 * note; the bot being removed from the conversation ends the chat as `userUnreachable`. In Teams,
 * the user's answer to a file consent card for an agent's file (`fileConsent/invoke`) is handled by
 * `fileConsent` ({@link TeamsFileConsent}).
 *
 * In a live chat this instance holds, the turn's transcript entries go to the live-chat record
 * (see TurnJournal): the user's message with the write that accepts it, anything else in one write
 * at the end of the turn; conversation state is then neither read nor written.
 */
export class HandoffBot extends TeamsActivityHandler {
  constructor(
    private readonly mainDialog: MainDialog,
    private readonly dialogState: StatePropertyAccessor<DialogState>,
    private readonly handoff: LiveChats,
    private readonly stateSaver: StateSaver,
    private readonly logger: Logger,
    private readonly fileConsent: TeamsFileConsent,
  ) {
    super();

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== botId) await context.sendActivity(MainDialog.welcome(context.activity.locale));
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      const live = await this.liveChat(context);
      if (live !== undefined) await this.relayToAgent(context, live);
      else await this.answer(context);
      await next();
    });

    this.onMessageUpdate(async (context, next) => {
      const live = await this.liveChat(context);
      const text = composeUserText(context.activity);
      if (live !== undefined && text !== '') {
        await this.handoff.acceptUserMessage(
          live,
          redeliveryKey(context.activity, 'edit'),
          AGENT_TEXTS.userEdited(text),
        );
      }
      await next();
    });

    this.onMessageDelete(async (context, next) => {
      const live = await this.liveChat(context);
      if (live !== undefined)
        await this.handoff.acceptUserMessage(live, redeliveryKey(context.activity, 'delete'), AGENT_TEXTS.userDeleted);
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      const live = await this.liveChat(context);
      if (live !== undefined) await this.handoff.userUnreachable(live, 'the bot was uninstalled');
      await next();
    });

    this.onMembersRemoved(async (context, next) => {
      const botId = context.activity.recipient.id;
      const removed = context.activity.membersRemoved ?? [];
      const botRemoved = removed.some((m) => m.id === botId);
      const live = removed.length > 0 ? await this.liveChat(context) : undefined;
      if (live !== undefined && botRemoved) {
        await this.handoff.userUnreachable(live, 'the bot was removed from the conversation');
      } else if (live !== undefined && removed.some((m) => m.id === live.userId)) {
        // The customer left the conversation (e.g. closed the chat page for good): nobody reads the agent now.
        await this.handoff.userUnreachable(live, 'the customer left the conversation');
      }
      await next();
    });

    this.onTyping(async (context, next) => {
      const live = await this.handoff.activeRecord(context.activity.channelId, context.activity.conversation.id);
      if (live !== undefined) await this.handoff.relayUserTyping(live);
      await next();
    });
  }

  /**
   * Teams' `fileConsent/invoke`: a value that is not an object is refused with 400 (the SDK's
   * `BadRequest`), as is an action other than `accept` or `decline`.
   */
  protected override async handleTeamsFileConsent(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    const value: unknown = response;
    if (!isRecord(value)) throw new Error('BadRequest');
    await super.handleTeamsFileConsent(context, response);
  }

  /** Teams: the user accepted the file consent card of an agent's file. */
  protected override async handleTeamsFileConsentAccept(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    await this.fileConsent.accept(context, response);
  }

  /** Teams: the user declined the file consent card of an agent's file. */
  protected override async handleTeamsFileConsentDecline(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    await this.fileConsent.decline(context, response);
  }

  /** Runs the turn, writes its journaled transcript entries, then saves conversation and user state. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    const journal = turnJournal(context);
    const left = journal?.entries.splice(0) ?? [];
    if (journal !== undefined && left.length > 0) {
      // The turn itself is done: entries the record cannot carry now go to conversation state.
      const carried = await this.handoff.journalTranscript(journal.recordId, left).catch((err: unknown) => {
        this.logger.warn(
          { err, conversationId: context.activity.conversation.id },
          'could not journal the transcript; keeping it in conversation state',
        );
        return false;
      });
      if (!carried) await journal.keepInState(context, left);
    }
    await this.stateSaver.save(context);
  }

  /** The conversation's live chat, with its reference brought up to date from this activity. */
  private async liveChat(context: TurnContext): Promise<HandoffRecord | undefined> {
    const { channelId, conversation } = context.activity;
    const live = await this.handoff.activeRecord(channelId, conversation.id);
    if (live !== undefined) await this.handoff.refreshReference(live, context.activity);
    return live;
  }

  /** The bot answers, unless the activity is a redelivery. */
  private async answer(context: TurnContext): Promise<void> {
    if (await this.handoff.rememberInbound(context.activity)) await this.mainDialog.run(context, this.dialogState);
    else this.ignoreRedelivery(context);
  }

  /** A redelivered activity: its transcript entry is already kept, and nothing else happens. */
  private ignoreRedelivery(context: TurnContext): void {
    turnJournal(context)?.entries.splice(0);
    this.logger.info({ activityId: context.activity.id }, 'ignored a redelivered activity');
  }

  private async relayToAgent(context: TurnContext, record: HandoffRecord): Promise<void> {
    const text = activityText(context.activity);
    const locale = context.activity.locale;
    const waiting = record.state !== 'connected';
    const messages = messagesFor(locale);
    const ends = isEndChatRequest(text, locale) || (waiting && isCancelRequest(text, locale));
    const asksAgain = waiting && !ends && recognizeHandoffIntent(text, locale).intent === 'handoff';
    if ((ends || asksAgain) && !(await this.handoff.rememberInbound(context.activity))) {
      this.ignoreRedelivery(context);
      return;
    }
    if (asksAgain) {
      await context.sendActivity(messages.alreadyConnecting);
      return;
    }
    if (ends) {
      const reason = waiting ? 'userCancelled' : 'userEnded';
      const ended = await this.handoff.endByUser(record, reason);
      if (ended) await context.sendActivity(waiting ? messages.userCancelled : messages.userEnded);
      else await this.mainDialog.run(context, this.dialogState);
      return;
    }
    // The user's transcript entry goes with the write that takes the message.
    const journal = turnJournal(context);
    const entries = journal?.entries.slice() ?? [];
    const outcome = await this.handoff.acceptUserMessage(record, context.activity, undefined, entries);
    // Taken (or refused as full) with the write; a redelivery's entry is already in the journal.
    if (outcome.status === 'queued' || outcome.status === 'full' || outcome.status === 'duplicate')
      journal?.entries.splice(0, entries.length);
    switch (outcome.status) {
      case 'queued':
        if (outcome.acknowledge) await context.sendActivity(messages.passedOnWhileWaiting);
        return;
      case 'full':
        this.logger.warn({ conversationId: record.conversationId }, 'outbox full; user message not taken');
        await context.sendActivity(messages.messageNotDeliveredQuoted(quoteOf(composeUserText(context.activity))));
        return;
      case 'ended':
        // The chat ended meanwhile: the bot answers this message itself.
        await this.answer(context);
        return;
      case 'duplicate':
      case 'empty':
        return;
    }
  }
}

/**
 * The activity with an id that tells an edit or delete apart from the message it changes (channels
 * reuse the message's id) while a redelivery (same id and timestamp) keeps the same key.
 */
function redeliveryKey(activity: Activity, kind: 'edit' | 'delete'): Partial<Activity> {
  // Typed as a Date, but a string as it comes off the wire.
  const raw: unknown = activity.timestamp;
  const stamp = raw instanceof Date ? raw.toISOString() : typeof raw === 'string' ? raw : '';
  return { ...activity, id: `${kind}:${activity.id ?? ''}:${stamp}` };
}
