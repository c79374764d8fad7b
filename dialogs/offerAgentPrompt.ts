import type { TurnContext } from 'botbuilder';
import { ConfirmPrompt, ListStyle, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import { activityText } from '../src/activities';
import type { HandoffIntentRecognizer } from '../src/recognizers/handoffIntentRecognizer';

/**
 * The yes/no question "Would you like to talk to a person?". The caller's prompt activity carries
 * the localised question and its Yes/No buttons (the prompt adds no choices of its own); answers
 * are recognized by the {@link HandoffIntentRecognizer} in the activity's locale:
 *
 * - `true` for yes, the Yes button, or an explicit request for a person;
 * - `false` for no ("no", "no thanks", "nope", "nein"), the No button, or "cancel";
 * - `undefined` for any other message: the prompt ends without retrying, so the caller handles the
 *   message as a new question.
 */
export class OfferAgentPrompt extends ConfirmPrompt {
  constructor(
    dialogId: string,
    private readonly recognizer: HandoffIntentRecognizer,
  ) {
    // Every message ends the prompt: an unrelated one is handled by the caller, not re-asked.
    super(dialogId, () => Promise.resolve(true));
    this.style = ListStyle.none;
  }

  protected override async onRecognize(
    context: TurnContext,
    _state: unknown,
    _options: PromptOptions,
  ): Promise<PromptRecognizerResult<boolean>> {
    const { intent } = await this.recognizer.recognize(activityText(context.activity), context.activity.locale);
    if (intent === 'yes' || intent === 'handoff') return { succeeded: true, value: true };
    if (intent === 'no' || intent === 'cancel') return { succeeded: true, value: false };
    return { succeeded: false };
  }
}
