import { TurnContext, type StatePropertyAccessor } from 'botbuilder';
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { userTimeZone } from '../src/channels';
import type { HandoffStarter, StartHandoffResult } from '../src/handoff/handoffService';
import { isCancelRequest } from '../src/recognizers/handoffIntentRecognizer';
import { messagesFor } from '../src/resources/messages';
import { emptyTranscript, isTranscript, type Transcript } from '../src/transcript/transcript';
import { DialogIds } from './dialogIds';

/** A question asked before connecting; the answer is sent to the agent as participant data `key`. */
export interface PreChatQuestion {
  key: string;
  prompt: string;
}

/**
 * Why a transfer started, as sent to the agent (participant data `handoffReason`): the user asked
 * for a person (an explicit request or "yes" to the offer), or the bot transferred by itself after
 * repeated misunderstandings.
 */
export const TRANSFER_REASONS = {
  userAsked: 'user asked for an agent',
  botCouldNotHelp: 'the bot could not help',
} as const;

/** Options the transfer dialog can be started with. */
export interface TransferOptions {
  /** Why the transfer started (sent as participant data `handoffReason`); see {@link TRANSFER_REASONS}. */
  reason?: string;
  /** Extra participant data collected by other dialogs. */
  attributes?: Record<string, string>;
}

/** The dialog's result: the handoff's answer, or `cancelled` when the user cancelled a pre-chat question. */
export type TransferResult = StartHandoffResult | { status: 'cancelled' };

interface TransferValues {
  index: number;
  answers: Record<string, string>;
  options: TransferOptions;
}

/**
 * Connects the user to a Genesys agent: optionally asks the configured pre-chat questions ("cancel"
 * as an answer stops the transfer), and opens the live chat through the {@link HandoffStarter}.
 * When agents are unavailable or Genesys refuses, it says so plainly and the bot carries on. Ends
 * with a {@link TransferResult}. Texts follow the activity's locale.
 */
export class TransferDialog extends ComponentDialog {
  constructor(
    private readonly handoff: HandoffStarter,
    private readonly transcript: StatePropertyAccessor<Transcript>,
    private readonly preChatQuestions: readonly PreChatQuestion[] = [],
  ) {
    super(DialogIds.transfer);
    this.addDialog(new TextPrompt(DialogIds.preChatPrompt));
    this.addDialog(
      new WaterfallDialog(DialogIds.transferWaterfall, [
        this.askStep.bind(this),
        this.collectStep.bind(this),
        this.connectStep.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.transferWaterfall;
  }

  private async askStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = this.values(step);
    if (!this.handoff.isAvailable) {
      await step.context.sendActivity(messagesFor(step.context.activity.locale).agentsNotConfigured);
      return step.endDialog({ status: 'unavailable' } satisfies TransferResult);
    }
    const question = this.preChatQuestions.at(values.index);
    if (question === undefined) return step.next();
    return step.prompt(DialogIds.preChatPrompt, question.prompt);
  }

  private async collectStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = this.values(step);
    const question = this.preChatQuestions.at(values.index);
    if (question !== undefined && typeof step.result === 'string') {
      const locale = step.context.activity.locale;
      if (isCancelRequest(step.result, locale)) {
        await step.context.sendActivity(messagesFor(locale).transferCancelled);
        return step.endDialog({ status: 'cancelled' } satisfies TransferResult);
      }
      values.answers[question.key] = step.result;
      values.index++;
      if (values.index < this.preChatQuestions.length) {
        return step.replaceDialog(DialogIds.transferWaterfall, values);
      }
    }
    return step.next();
  }

  private async connectStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const values = this.values(step);
    const context = step.context;
    const m = messagesFor(context.activity.locale);
    await context.sendActivity(m.connecting);
    const stored = await this.transcript.get(context, emptyTranscript());
    const activity = context.activity;
    const timeZone = userTimeZone(activity);
    const result = await this.handoff.start({
      reference: TurnContext.getConversationReference(activity),
      channelId: activity.channelId,
      conversationId: activity.conversation.id,
      userId: activity.from.id,
      ...(activity.from.name ? { userName: activity.from.name } : {}),
      ...(timeZone === undefined ? {} : { timeZone }),
      transcript: isTranscript(stored) ? stored : emptyTranscript(),
      attributes: {
        ...(values.options.reason === undefined ? {} : { handoffReason: values.options.reason }),
        ...values.options.attributes,
        ...values.answers,
      },
    });
    switch (result.status) {
      case 'started':
        break;
      case 'alreadyActive':
        await context.sendActivity(m.alreadyConnecting);
        break;
      case 'unavailable':
        await context.sendActivity(m.agentsNotConfigured);
        break;
      case 'refused':
        await context.sendActivity(m.handoffRefused);
        break;
      case 'failed':
        await context.sendActivity(m.handoffFailed);
        break;
    }
    return step.endDialog(result satisfies TransferResult);
  }

  /** Waterfall values carried across pre-chat questions (also through replaceDialog). */
  private values(step: WaterfallStepContext): TransferValues {
    const raw = step.values as Partial<TransferValues>;
    if (raw.answers === undefined) {
      const carried = step.options as Partial<TransferValues> | TransferOptions | undefined;
      if (carried !== undefined && 'answers' in carried && carried.answers !== undefined) {
        raw.answers = carried.answers;
        raw.index = carried.index ?? 0;
        raw.options = carried.options ?? {};
      } else {
        raw.answers = {};
        raw.index = 0;
        raw.options = (carried as TransferOptions | undefined) ?? {};
      }
    }
    return raw as TransferValues;
  }
}
