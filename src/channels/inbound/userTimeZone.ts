import type { Activity } from 'botbuilder';
import { listOf, stringOf } from './activityFields';

/**
 * The user's IANA time zone as the channel reports it, or undefined when it reports none or one the
 * platform's `Intl` does not know:
 *
 * - Web Chat, Direct Line and the Emulator: the activity's `localTimezone` (e.g. `Europe/Berlin`);
 * - Microsoft Teams: the `clientInfo` entity's `timezone`
 *   (`entities: [{ type: "clientInfo", locale, country, platform, timezone }]`).
 */
export function userTimeZone(activity: Partial<Activity>): string | undefined {
  const clientInfo = listOf<{ type?: unknown; timezone?: unknown }>(activity.entities).find(
    (entity) => entity.type === 'clientInfo',
  );
  const zone = stringOf(activity.localTimezone) ?? stringOf(clientInfo?.timezone);
  return zone !== undefined && isKnownTimeZone(zone) ? zone : undefined;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
