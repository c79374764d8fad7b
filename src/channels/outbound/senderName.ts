import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';

/**
 * Sends `activities` in `context`, keeping the `from.name` each one was rendered with (the agent's
 * name on Web Chat, Direct Line and the Emulator). `TurnContext.sendActivities` replaces `from` with
 * the bot's account from the conversation reference; this puts the name back on that account, so
 * the sender stays the bot (same id and role) with the agent's name. Applies to this one send only.
 */
export async function sendKeepingSenderNames(
  context: TurnContext,
  activities: Partial<Activity>[],
): Promise<ResourceResponse[]> {
  const names = activities.map((a) => a.from?.name);
  let pending = true;
  context.onSendActivities(async (_context, outgoing, next) => {
    if (pending && outgoing.length === names.length) {
      pending = false;
      outgoing.forEach((activity, index) => {
        const name = names[index];
        if (name !== undefined && name !== '') activity.from = { ...activity.from, id: activity.from?.id ?? '', name };
      });
    }
    return next();
  });
  return context.sendActivities(activities);
}
