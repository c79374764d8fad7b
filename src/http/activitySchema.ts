import { z } from 'zod';

/**
 * The one schema every activity reaching `/api/messages` must match before the Bot Framework SDK or
 * the bot sees it. It checks the type of every field the SDK, the dialogs, the transcript and the
 * handoff code read, so the code behind the edge can trust the shape (`from.id` is a string,
 * `attachments` is an array of objects, ...). Unknown fields pass through untouched: channels add
 * their own. A `null` optional field counts as absent (some channels send `"name": null`).
 *
 * Source: Bot Framework Activity schema (botframework-schema `Activity`, `ChannelAccount`,
 * `ConversationAccount`, `Attachment`, `Entity`).
 */

/** Longest identifier accepted (conversation, user, activity ids), in characters. */
export const MAX_ID_CHARS = 1024;
/** Longest short string field accepted (names, locale, type, ...), in characters. */
export const MAX_NAME_CHARS = 1024;
/** Longest URL accepted, in characters. */
export const MAX_URL_CHARS = 2048;

/** Makes an optional field accept `null` as "absent" and drop it. */
function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullable()
    .optional()
    .transform((value) => value ?? undefined);
}

const identifier = z.string().min(1, 'must not be empty').max(MAX_ID_CHARS);
const shortString = z.string().max(MAX_NAME_CHARS);
const dateTime = z
  .string()
  .max(64)
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date and time');
const httpUrl = z
  .string()
  .max(MAX_URL_CHARS)
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL');

/** `ChannelAccount`: a user or bot on a channel. */
export const channelAccountSchema = z.looseObject({
  id: identifier,
  name: optional(shortString),
  role: optional(shortString),
  aadObjectId: optional(shortString),
});

/** `ConversationAccount`: the conversation an activity belongs to. */
export const conversationAccountSchema = z.looseObject({
  id: identifier,
  name: optional(shortString),
  isGroup: optional(z.boolean()),
  conversationType: optional(shortString),
  tenantId: optional(shortString),
  role: optional(shortString),
  aadObjectId: optional(shortString),
});

/** `Attachment`: a file or card sent with a message. */
export const attachmentSchema = z.looseObject({
  contentType: shortString,
  contentUrl: optional(z.string().max(MAX_URL_CHARS)),
  content: z.unknown().optional(),
  name: optional(shortString),
  thumbnailUrl: optional(z.string().max(MAX_URL_CHARS)),
});

/** `Entity`: metadata about the activity (mentions, places, client capabilities, ...). */
export const entitySchema = z.looseObject({ type: shortString });

const jsonObject = z.record(z.string(), z.unknown());

/** `ConversationReference`, as carried in `relatesTo`. */
const conversationReferenceSchema = z.looseObject({
  activityId: optional(shortString),
  user: optional(channelAccountSchema),
  bot: optional(channelAccountSchema),
  conversation: optional(conversationAccountSchema),
  channelId: optional(shortString),
  serviceUrl: optional(z.string().max(MAX_URL_CHARS)),
  locale: optional(shortString),
});

/** A Bot Framework activity as the edge accepts it. */
export const activitySchema = z.looseObject({
  type: z.string().min(1, 'must not be empty').max(100),
  channelId: identifier,
  serviceUrl: httpUrl,
  conversation: conversationAccountSchema,
  from: channelAccountSchema,
  recipient: channelAccountSchema,
  id: optional(z.string().max(MAX_ID_CHARS)),
  replyToId: optional(z.string().max(MAX_ID_CHARS)),
  timestamp: optional(dateTime),
  localTimestamp: optional(dateTime),
  expiration: optional(dateTime),
  localTimezone: optional(shortString),
  callerId: optional(z.string().max(MAX_URL_CHARS)),
  locale: optional(shortString),
  text: optional(z.string()),
  speak: optional(z.string()),
  summary: optional(z.string()),
  textFormat: optional(shortString),
  inputHint: optional(shortString),
  attachmentLayout: optional(shortString),
  importance: optional(shortString),
  deliveryMode: optional(z.enum(['normal', 'notification', 'expectReplies', 'ephemeral'])),
  topicName: optional(shortString),
  historyDisclosed: optional(z.boolean()),
  action: optional(shortString),
  name: optional(shortString),
  label: optional(shortString),
  valueType: optional(shortString),
  code: optional(shortString),
  listenFor: optional(z.array(z.string())),
  membersAdded: optional(z.array(channelAccountSchema)),
  membersRemoved: optional(z.array(channelAccountSchema)),
  reactionsAdded: optional(z.array(z.looseObject({ type: shortString }))),
  reactionsRemoved: optional(z.array(z.looseObject({ type: shortString }))),
  attachments: optional(z.array(attachmentSchema)),
  entities: optional(z.array(entitySchema)),
  suggestedActions: optional(z.looseObject({ actions: z.array(jsonObject), to: optional(z.array(z.string())) })),
  textHighlights: optional(z.array(z.looseObject({ text: z.string(), occurrence: optional(z.number()) }))),
  semanticAction: optional(
    z.looseObject({ id: shortString, state: optional(shortString), entities: optional(jsonObject) }),
  ),
  relatesTo: optional(conversationReferenceSchema),
  channelData: optional(jsonObject),
  value: z.unknown().optional(),
});

/** An activity that passed {@link activitySchema}. */
export type ValidatedActivity = z.output<typeof activitySchema>;

/** Most problems reported for one request (the rest are summarised). */
const MAX_PROBLEMS = 10;

/** The outcome of {@link parseActivity}. */
export type ActivityParseResult = { ok: true; activity: ValidatedActivity } | { ok: false; problems: string[] };

/**
 * Checks a parsed request body against {@link activitySchema}. On failure, returns up to ten
 * problems such as `"from.id": must not be empty` (paths use dots and `[i]` for array items).
 */
export function parseActivity(body: unknown): ActivityParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, problems: ['the body must be a JSON object (an activity)'] };
  const result = activitySchema.safeParse(body, { reportInput: true });
  if (result.success) return { ok: true, activity: result.data };
  const problems = result.error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = formatPath(issue.path);
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return path === '' ? message : `"${path}": ${message}`;
  });
  const more = result.error.issues.length - MAX_PROBLEMS;
  if (more > 0) problems.push(`and ${more} more`);
  return { ok: false, problems };
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}
