import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { activityText, isMessage } from '../src/activities';
import { MESSAGES } from '../src/resources/messages';
import { DialogIds } from './dialogIds';
import type { Faq } from './faq';
import type { TransferDialog, TransferOptions } from './transferDialog';

/** Per-conversation memory of the main dialog. */
export interface MainDialogState {
  /** Consecutive messages the bot did not understand. */
  misunderstandings: number;
  /** True right after the bot offered a human, so "yes" connects. */
  offeredAgent: boolean;
}

/** Options of {@link MainDialog}. */
export interface MainDialogOptions {
  /** Misunderstandings after which a human is offered (default 2). */
  offerAgentAfter?: number;
  /** Misunderstandings after which the bot transfers by itself (default 3). */
  transferAfter?: number;
}

const AGENT_WORDS = /\b(agent|human|person|representative|operator|someone real)\b/i;
const HELP_WORDS = /^(help|\?|menu|what can you do\??)$/i;
const GREETING_WORDS = /^(hi|hello|hey|good (morning|afternoon|evening))\b/i;
const YES_WORDS = /^(yes|yeah|yep|sure|ok|okay|please)\b/i;

/**
 * The bot's own conversation: welcome, help, a keyword FAQ, and a fallback that offers a human
 * after repeated misunderstandings. Asking for an agent starts the {@link TransferDialog}.
 */
export class MainDialog extends ComponentDialog {
  private readonly offerAgentAfter: number;
  private readonly transferAfter: number;

  constructor(
    private readonly faq: Faq,
    transferDialog: TransferDialog,
    private readonly state: StatePropertyAccessor<MainDialogState>,
    options: MainDialogOptions = {},
  ) {
    super(DialogIds.main);
    this.offerAgentAfter = options.offerAgentAfter ?? 2;
    this.transferAfter = options.transferAfter ?? 3;
    this.addDialog(transferDialog);
    this.addDialog(
      new WaterfallDialog(DialogIds.mainWaterfall, [this.routeStep.bind(this), this.finalStep.bind(this)]),
    );
    this.initialDialogId = DialogIds.mainWaterfall;
  }

  /** Runs the dialog for one turn: continues an active dialog or starts a new one. */
  async run(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(dialogState);
    dialogSet.add(this);
    const dialogContext = await dialogSet.createContext(context);
    const result = await dialogContext.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dialogContext.beginDialog(this.id);
  }

  /** The welcome shown to new members and on greetings. */
  static welcome(): ReturnType<typeof MessageFactory.suggestedActions> {
    return MessageFactory.suggestedActions([MESSAGES.talkToAgentAction, MESSAGES.helpAction], MESSAGES.welcome);
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    if (!isMessage(context.activity)) return step.endDialog();
    const text = activityText(context.activity);
    const memory = await this.state.get(context, { misunderstandings: 0, offeredAgent: false });
    const offered = memory.offeredAgent;
    memory.offeredAgent = false;

    if (text === MESSAGES.talkToAgentAction || AGENT_WORDS.test(text) || (offered && YES_WORDS.test(text))) {
      memory.misunderstandings = 0;
      return step.beginDialog(DialogIds.transfer, { reason: 'user asked for an agent' } satisfies TransferOptions);
    }
    if (text === MESSAGES.helpAction || HELP_WORDS.test(text)) {
      memory.misunderstandings = 0;
      await context.sendActivity(MessageFactory.suggestedActions([MESSAGES.talkToAgentAction], MESSAGES.help));
      return step.endDialog();
    }
    const answer = this.faq.answer(text);
    if (answer !== undefined) {
      memory.misunderstandings = 0;
      await context.sendActivity(answer);
      return step.endDialog();
    }
    if (GREETING_WORDS.test(text)) {
      memory.misunderstandings = 0;
      await context.sendActivity(MainDialog.welcome());
      return step.endDialog();
    }

    memory.misunderstandings++;
    if (memory.misunderstandings >= this.transferAfter) {
      memory.misunderstandings = 0;
      return step.beginDialog(DialogIds.transfer, { reason: 'the bot could not help' } satisfies TransferOptions);
    }
    if (memory.misunderstandings >= this.offerAgentAfter) {
      memory.offeredAgent = true;
      await context.sendActivity(
        MessageFactory.suggestedActions([MESSAGES.talkToAgentAction, MESSAGES.helpAction], MESSAGES.offerAgent),
      );
      return step.endDialog();
    }
    await context.sendActivity(MESSAGES.didNotUnderstand);
    return step.endDialog();
  }

  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog();
  }
}
