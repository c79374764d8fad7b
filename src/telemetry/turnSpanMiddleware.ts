import type { Middleware, TurnContext } from 'botbuilder';
import { SPANS, telemetry } from './telemetry';

/**
 * Runs each turn in a `bot.turn` span, the root of the user → agent trace: everything the turn
 * does (dialogs, the relay to Genesys, storage) becomes its children, and every log line written
 * during the turn carries its trace id.
 */
export class TurnSpanMiddleware implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    await telemetry().withSpan(
      SPANS.turn,
      {
        'bot.channel_id': activity.channelId,
        'bot.activity.type': activity.type,
        'bot.conversation_id': activity.conversation.id,
      },
      () => next(),
    );
  }
}
