import { ActivityHandler, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog } from '../dialogs/mainDialog';
import { activityText } from '../src/activities';
import type { HandoffRecord } from '../src/handoff/handoffRecord';
import type { LiveChats } from '../src/handoff/handoffService';
import type { Logger } from '../src/logger';
import { isCancelRequest, isEndChatRequest } from '../src/recognizers/handoffIntentRecognizer';
import { MESSAGES, messagesFor } from '../src/resources/messages';
import type { StateSaver } from '../src/state/stateSaver';

/**
 * The bot: greets new members, answers through the main dialog, and while a live chat is active
 * routes everything the user sends to the agent instead (the dialogs stay silent). State is saved
 * at the end of every turn.
 */
export class HandoffBot extends ActivityHandler {
  constructor(
    private readonly mainDialog: MainDialog,
    private readonly dialogState: StatePropertyAccessor<DialogState>,
    private readonly handoff: LiveChats,
    private readonly stateSaver: StateSaver,
    private readonly logger: Logger,
  ) {
    super();

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== botId) await context.sendActivity(MainDialog.welcome());
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      const { channelId, conversation } = context.activity;
      const live = await this.handoff.activeRecord(channelId, conversation.id);
      if (live !== undefined) await this.relayToAgent(context, live);
      else await this.mainDialog.run(context, this.dialogState);
      await next();
    });

    this.onTyping(async (context, next) => {
      const live = await this.handoff.activeRecord(context.activity.channelId, context.activity.conversation.id);
      if (live !== undefined) await this.handoff.relayUserTyping(live);
      await next();
    });
  }

  /** Runs the turn, then saves conversation and user state. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.stateSaver.save(context);
  }

  private async relayToAgent(context: TurnContext, record: HandoffRecord): Promise<void> {
    const text = activityText(context.activity);
    const locale = context.activity.locale;
    const waiting = record.state !== 'connected';
    if (isEndChatRequest(text, locale) || (waiting && isCancelRequest(text, locale))) {
      const reason = waiting ? 'userCancelled' : 'userEnded';
      const ended = await this.handoff.endByUser(record, reason);
      if (ended) await context.sendActivity(waiting ? MESSAGES.userCancelled : MESSAGES.userEnded);
      else await this.mainDialog.run(context, this.dialogState);
      return;
    }
    if (record.state === 'requested' && record.resumeData === undefined) {
      await context.sendActivity(MESSAGES.alreadyConnecting);
      return;
    }
    const delivered = await this.handoff.relayUserMessage(record, context.activity);
    if (delivered !== true) {
      this.logger.info({ conversationId: record.conversationId }, 'user message not delivered to the agent');
      await context.sendActivity(
        delivered === false ? MESSAGES.messageNotDelivered : messagesFor(context.activity.locale)[delivered],
      );
    }
  }
}
