import type { Activity } from 'botbuilder';

/**
 * The trimmed text of an activity. Channels omit `text` on attachment-only messages even though
 * the schema types it as a string, so it is read defensively.
 */
export function activityText(activity: Partial<Activity>): string {
  const text: unknown = activity.text;
  return typeof text === 'string' ? text.trim() : '';
}

/** True for message activities. */
export function isMessage(activity: Partial<Activity>): boolean {
  return activity.type === 'message';
}
