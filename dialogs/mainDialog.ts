import { ActionTypes, MessageFactory, type CardAction, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type DialogTurnResult,
  type PromptOptions,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { activityText, isMessage } from '../src/activities';
import {
  PhraseHandoffRecognizer,
  isHelpRequest,
  type HandoffIntentRecognizer,
} from '../src/recognizers/handoffIntentRecognizer';
import { messagesFor } from '../src/resources/messages';
import { DialogIds } from './dialogIds';
import type { Faq } from './faq';
import { OfferAgentPrompt } from './offerAgentPrompt';
import { TRANSFER_REASONS, type TransferDialog, type TransferOptions } from './transferDialog';

/** Per-conversation memory of the main dialog. */
export interface MainDialogState {
  /** Consecutive messages the bot did not understand. */
  misunderstandings: number;
}

/** Options of {@link MainDialog}. */
export interface MainDialogOptions {
  /** Misunderstandings after which a person is offered (default 2). */
  offerAgentAfter?: number;
  /** Misunderstandings after which the bot transfers by itself (default 3). */
  transferAfter?: number;
  /** Recognizes requests for a person, yes/no, "end chat" and "cancel" (default: the phrase model). */
  recognizer?: HandoffIntentRecognizer;
}

const GREETING_WORDS =
  /^(hi|hello|hey|good (morning|afternoon|evening)|hallo|guten (morgen|tag|abend)|moin|servus|grüß gott)(?![\p{L}\p{N}])/iu;

/** Step values of the main waterfall. */
interface MainStepValues {
  /** True once the route step asked the yes/no offer of a person. */
  offered?: boolean;
}

/** A button that sends `title` back as the user's message. */
function imBack(title: string): CardAction {
  return { type: ActionTypes.ImBack, title, value: title };
}

/**
 * The "End chat" button in the user's language (BCP 47 `locale`, English when unknown), for the
 * notice that an agent joined. Typing its title ends the live chat (`isEndChatRequest`).
 */
export function endChatAction(locale?: string): CardAction {
  return imBack(messagesFor(locale).endChatAction);
}

/**
 * The help shown while a live chat is connected, in the language of `locale`: says that messages
 * go to the agent and how to end the chat, with the {@link endChatAction} button.
 */
export function connectedHelp(locale?: string): ReturnType<typeof MessageFactory.suggestedActions> {
  return MessageFactory.suggestedActions([endChatAction(locale)], messagesFor(locale).helpConnected);
}

/**
 * The bot's own conversation: welcome, help, a keyword FAQ, and a fallback that offers a person
 * (a yes/no question) after repeated misunderstandings. An explicit request for a person, or
 * "yes" to the offer, starts the {@link TransferDialog}; "no" keeps the bot and resets the count.
 * "end chat" and "cancel" with no live chat open get a plain answer and are not misunderstandings.
 * Texts follow the activity's locale.
 */
export class MainDialog extends ComponentDialog {
  private readonly offerAgentAfter: number;
  private readonly transferAfter: number;
  private readonly recognizer: HandoffIntentRecognizer;
  private readonly dialogSets = new WeakMap<StatePropertyAccessor<DialogState>, DialogSet>();

  constructor(
    private readonly faq: Faq,
    transferDialog: TransferDialog,
    private readonly state: StatePropertyAccessor<MainDialogState>,
    options: MainDialogOptions = {},
  ) {
    super(DialogIds.main);
    this.offerAgentAfter = options.offerAgentAfter ?? 2;
    this.transferAfter = options.transferAfter ?? 3;
    this.recognizer = options.recognizer ?? new PhraseHandoffRecognizer();
    this.addDialog(transferDialog);
    this.addDialog(new OfferAgentPrompt(DialogIds.offerAgentPrompt, this.recognizer));
    this.addDialog(
      new WaterfallDialog(DialogIds.mainWaterfall, [
        this.routeStep.bind(this),
        this.offerAnswerStep.bind(this),
        this.finalStep.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.mainWaterfall;
  }

  /** Runs the dialog for one turn: continues an active dialog or starts a new one. */
  async run(context: TurnContext, dialogState: StatePropertyAccessor<DialogState>): Promise<void> {
    // The set holds no per-turn state: built once per state accessor, not once per turn.
    let dialogSet = this.dialogSets.get(dialogState);
    if (dialogSet === undefined) {
      dialogSet = new DialogSet(dialogState);
      dialogSet.add(this);
      this.dialogSets.set(dialogState, dialogSet);
    }
    const dialogContext = await dialogSet.createContext(context);
    const result = await dialogContext.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dialogContext.beginDialog(this.id);
  }

  /** The welcome shown to new members and on greetings, in the language of `locale` (BCP 47). */
  static welcome(locale?: string): ReturnType<typeof MessageFactory.suggestedActions> {
    const m = messagesFor(locale);
    return MessageFactory.suggestedActions([m.talkToAgentAction, m.helpAction], m.welcome);
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    if (!isMessage(context.activity)) return step.endDialog();
    const text = activityText(context.activity);
    const locale = context.activity.locale;
    const m = messagesFor(locale);
    const memory = await this.state.get(context, { misunderstandings: 0 });
    const { intent } = await this.recognizer.recognize(text, locale);

    if (text === m.talkToAgentAction || intent === 'handoff') {
      memory.misunderstandings = 0;
      return this.transfer(step, TRANSFER_REASONS.userAsked);
    }
    if (intent === 'endChat' || intent === 'cancel') {
      await context.sendActivity(intent === 'endChat' ? m.noChatToEnd : m.nothingToCancel);
      return step.endDialog();
    }
    if (text === m.helpAction || isHelpRequest(text, locale)) {
      memory.misunderstandings = 0;
      await context.sendActivity(MessageFactory.suggestedActions([m.talkToAgentAction], m.help));
      return step.endDialog();
    }
    const answer = this.faq.answer(text, locale);
    if (answer !== undefined) {
      memory.misunderstandings = 0;
      await context.sendActivity(answer);
      return step.endDialog();
    }
    if (GREETING_WORDS.test(text)) {
      memory.misunderstandings = 0;
      await context.sendActivity(MainDialog.welcome(locale));
      return step.endDialog();
    }

    memory.misunderstandings++;
    if (memory.misunderstandings >= this.transferAfter) {
      memory.misunderstandings = 0;
      return this.transfer(step, TRANSFER_REASONS.botCouldNotHelp);
    }
    if (memory.misunderstandings >= this.offerAgentAfter) {
      (step.values as MainStepValues).offered = true;
      const prompt = MessageFactory.suggestedActions([imBack(m.yesAction), imBack(m.noAction)], m.offerAgent);
      return step.prompt(DialogIds.offerAgentPrompt, { prompt } satisfies PromptOptions);
    }
    await context.sendActivity(m.didNotUnderstand);
    return step.endDialog();
  }

  /** The answer to the offer of a person: yes connects, no keeps the bot, anything else is a new message. */
  private async offerAnswerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if ((step.values as MainStepValues).offered !== true) return step.endDialog(step.result);
    const answer = step.result as boolean | undefined;
    const memory = await this.state.get(step.context, { misunderstandings: 0 });
    if (answer === true) {
      memory.misunderstandings = 0;
      return this.transfer(step, TRANSFER_REASONS.userAsked);
    }
    if (answer === false) {
      memory.misunderstandings = 0;
      await step.context.sendActivity(messagesFor(step.context.activity.locale).offerDeclined);
      return step.endDialog();
    }
    return step.replaceDialog(DialogIds.mainWaterfall);
  }

  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }

  private transfer(step: WaterfallStepContext, reason: string): Promise<DialogTurnResult> {
    return step.beginDialog(DialogIds.transfer, { reason } satisfies TransferOptions);
  }
}
