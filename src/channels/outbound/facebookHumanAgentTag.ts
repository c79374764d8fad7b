import { type Activity, Channels } from 'botbuilder';

/**
 * Adds Messenger's human-agent message tag to the message activities for Facebook: `channelData`
 * `{ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" }`, which lets a person answer up to 7 days
 * after the user's last message instead of 24 hours. The Page's app needs Meta's Human Agent
 * permission; only messages written by a person may carry it (`docs/bot-framework-channels.md §4`). Other
 * channels' activities are returned unchanged; existing `channelData` fields are kept.
 */
export function withFacebookHumanAgentTag(channelId: string, activities: Partial<Activity>[]): Partial<Activity>[] {
  if (channelId !== (Channels.Facebook as string)) return activities;
  return activities.map((activity) =>
    activity.type === undefined || activity.type === 'message'
      ? {
          ...activity,
          channelData: {
            ...(typeof activity.channelData === 'object' && activity.channelData !== null
              ? (activity.channelData as Record<string, unknown>)
              : {}),
            messaging_type: 'MESSAGE_TAG',
            tag: 'HUMAN_AGENT',
          },
        }
      : activity,
  );
}
