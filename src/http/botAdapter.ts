import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';

/**
 * botbuilder's `CloudAdapter` (4.23.3) with {@link handle}: the request authentication and turn of
 * `CloudAdapter#process` for an activity the server has already parsed, without `process`'s
 * `console.error` of every refused request (an unauthenticated caller would print a stack trace
 * each time). The server answers and logs refusals itself.
 */
export class BotAdapter extends CloudAdapter {
  /**
   * Authenticates `authorization` (the request's `Authorization` header, empty when missing) and runs
   * `logic` for `activity`. Resolves to the invoke response to send, if any. Rejects with the SDK's
   * `AuthenticationError` (`statusCode` 401) when the caller is not authorized.
   */
  handle(
    authorization: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }
}

/**
 * The activity with its timestamp fields as `Date`s and the original strings kept as `raw*`, as
 * botbuilder's `validateAndFixActivity` prepares a request body for a turn (botbuilder 4.23.3,
 * `activityValidator.ts`).
 */
export function withTimestampDates(body: Record<string, unknown>): Activity {
  const fixed: Record<string, unknown> = { ...body };
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = body[field];
    if (typeof value !== 'string') continue;
    fixed[raw] = value;
    fixed[field] = new Date(value);
  }
  // The server checked the body against its activity schema before this point.
  return fixed as unknown as Activity;
}
