import { isRecord } from '../../json';

/**
 * Guest Chat v2 REST models (docs/genesys-protocol.md §3.2–§3.6) and the type guards that turn untrusted JSON into
 * them. Only the fields the client relies on are required by the guards; everything else is optional.
 */

/** The `bodyType` values of a `WebChatMessage` (docs/genesys-protocol.md §3.3). */
export const WEB_CHAT_BODY_TYPES = ['standard', 'notice', 'member-join', 'member-leave', 'media-request'] as const;

/** A `WebChatMessage.bodyType`. */
export type WebChatBodyType = (typeof WEB_CHAT_BODY_TYPES)[number];

/** The `role` values of a `WebChatMemberInfo` (docs/genesys-protocol.md §3.5). */
export const WEB_CHAT_MEMBER_ROLES = ['AGENT', 'CUSTOMER', 'WORKFLOW', 'ACD'] as const;

/** A `WebChatMemberInfo.role`. */
export type WebChatMemberRole = (typeof WEB_CHAT_MEMBER_ROLES)[number];

/** The `state` values of a chat member (docs/genesys-protocol.md §3.5, §3.7). */
export const WEB_CHAT_MEMBER_STATES = ['ALERTING', 'CONNECTED', 'DISCONNECTED'] as const;

/** A member's state. */
export type WebChatMemberState = (typeof WEB_CHAT_MEMBER_STATES)[number];

/** `WebChatMemberInfo` (docs/genesys-protocol.md §3.5). */
export interface WebChatMemberInfo {
  id: string;
  displayName?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phoneNumber?: string;
  avatarImageUrl?: string;
  role?: WebChatMemberRole;
  joinDate?: string;
  leaveDate?: string | null;
  authenticatedGuest?: boolean;
  customFields?: Record<string, string>;
  state?: WebChatMemberState;
}

/** `WebChatMessage` (docs/genesys-protocol.md §3.3). */
export interface WebChatMessage {
  id: string;
  name?: string;
  conversation?: { id: string; selfUri?: string };
  sender: { id: string };
  body: string;
  bodyType: WebChatBodyType;
  timestamp: string;
  selfUri?: string;
}

/** `WebChatTyping` (docs/genesys-protocol.md §3.4). */
export interface WebChatTyping {
  id: string;
  conversation?: { id: string; selfUri?: string };
  sender: { id: string };
  timestamp: string;
}

/** `CreateWebChatConversationResponse` (docs/genesys-protocol.md §3.2). */
export interface CreateWebChatConversationResponse {
  id: string;
  jwt: string;
  eventStreamUri: string;
  member: { id: string };
}

/** `WebChatMessageEntityList` (docs/genesys-protocol.md §3.5). */
export interface WebChatMessageEntityList {
  entities: WebChatMessage[];
  pageSize?: number;
  previousPage?: string;
  next?: string;
  selfUri?: string;
}

/** `WebChatMemberInfoEntityList` (docs/genesys-protocol.md §3.5). */
export interface WebChatMemberInfoEntityList {
  entities: WebChatMemberInfo[];
  pageSize?: number;
  pageNumber?: number;
  total?: number;
  pageCount?: number;
}

/** One entry of `ErrorBody.details` (docs/genesys-protocol.md §3.6). */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

/** The Genesys error envelope `ErrorBody` (docs/genesys-protocol.md §3.6). */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  entityId?: string;
  entityName?: string;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  contextId?: string;
  details?: ErrorDetail[];
  errors?: ErrorBody[];
  limit?: { key?: string; namespace?: string; value?: number };
}

/** `CreateWebChatConversationRequest` (docs/genesys-protocol.md §3.2), as the client sends it. */
export interface CreateWebChatConversationRequest {
  organizationId: string;
  deploymentId: string;
  routingTarget: {
    targetType: 'QUEUE';
    targetAddress: string;
    skills?: string[];
    language?: string;
    priority?: number;
  };
  memberInfo: {
    displayName: string;
    firstName?: string;
    lastName?: string;
    email?: string;
    phoneNumber?: string;
    avatarImageUrl?: string;
    customFields?: Record<string, string>;
  };
  memberAuthToken?: string;
}

/** True for a non-empty string. */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isIdRef(value: unknown): value is { id: string } {
  return isRecord(value) && isNonEmptyString(value.id);
}

/** True when `value` is one of the known body types. */
export function isWebChatBodyType(value: unknown): value is WebChatBodyType {
  return typeof value === 'string' && (WEB_CHAT_BODY_TYPES as readonly string[]).includes(value);
}

/** True when `value` is one of the known member roles. */
export function isWebChatMemberRole(value: unknown): value is WebChatMemberRole {
  return typeof value === 'string' && (WEB_CHAT_MEMBER_ROLES as readonly string[]).includes(value);
}

/** True when `value` is one of the known member states. */
export function isWebChatMemberState(value: unknown): value is WebChatMemberState {
  return typeof value === 'string' && (WEB_CHAT_MEMBER_STATES as readonly string[]).includes(value);
}

function toStringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** Reads a `WebChatMemberInfo`; undefined when `value` has no member id. Unknown enum values are dropped. */
export function toWebChatMemberInfo(value: unknown): WebChatMemberInfo | undefined {
  if (!isRecord(value) || !isNonEmptyString(value.id)) return undefined;
  const info: WebChatMemberInfo = { id: value.id };
  const strings = [
    'displayName',
    'firstName',
    'lastName',
    'email',
    'phoneNumber',
    'avatarImageUrl',
    'joinDate',
  ] as const;
  for (const key of strings) {
    const v = optionalString(value[key]);
    if (v !== undefined) info[key] = v;
  }
  if (isWebChatMemberRole(value.role)) info.role = value.role;
  if (isWebChatMemberState(value.state)) info.state = value.state;
  if (typeof value.leaveDate === 'string' || value.leaveDate === null) info.leaveDate = value.leaveDate;
  if (typeof value.authenticatedGuest === 'boolean') info.authenticatedGuest = value.authenticatedGuest;
  const customFields = toStringMap(value.customFields);
  if (customFields !== undefined) info.customFields = customFields;
  return info;
}

/** Reads a `WebChatMessage`; undefined when a required field is missing or the body type is unknown. */
export function toWebChatMessage(value: unknown): WebChatMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { id, sender, body, bodyType, timestamp } = value;
  if (
    !isNonEmptyString(id) ||
    !isIdRef(sender) ||
    typeof body !== 'string' ||
    !isWebChatBodyType(bodyType) ||
    typeof timestamp !== 'string'
  ) {
    return undefined;
  }
  const message: WebChatMessage = { id, sender: { id: sender.id }, body, bodyType, timestamp };
  if (isIdRef(value.conversation)) message.conversation = { id: value.conversation.id };
  const name = optionalString(value.name);
  if (name !== undefined) message.name = name;
  const selfUri = optionalString(value.selfUri);
  if (selfUri !== undefined) message.selfUri = selfUri;
  return message;
}

/** Reads a `WebChatTyping`; undefined when a required field is missing. */
export function toWebChatTyping(value: unknown): WebChatTyping | undefined {
  if (!isRecord(value)) return undefined;
  const { id, sender, timestamp } = value;
  if (!isNonEmptyString(id) || !isIdRef(sender) || typeof timestamp !== 'string') return undefined;
  const typing: WebChatTyping = { id, sender: { id: sender.id }, timestamp };
  if (isIdRef(value.conversation)) typing.conversation = { id: value.conversation.id };
  return typing;
}

/** Reads a `CreateWebChatConversationResponse`; undefined when any of its four parts is missing. */
export function toCreateConversationResponse(value: unknown): CreateWebChatConversationResponse | undefined {
  if (!isRecord(value)) return undefined;
  const { id, jwt, eventStreamUri, member } = value;
  if (!isNonEmptyString(id) || !isNonEmptyString(jwt) || !isNonEmptyString(eventStreamUri) || !isIdRef(member))
    return undefined;
  return { id, jwt, eventStreamUri, member: { id: member.id } };
}

/**
 * Reads a `WebChatMessageEntityList`. Entities that are not valid messages (e.g. an unknown body
 * type) are dropped rather than failing the page.
 */
export function toMessageEntityList(value: unknown): WebChatMessageEntityList | undefined {
  if (!isRecord(value) || !Array.isArray(value.entities)) return undefined;
  const entities: WebChatMessage[] = [];
  for (const entity of value.entities) {
    const message = toWebChatMessage(entity);
    if (message !== undefined) entities.push(message);
  }
  const list: WebChatMessageEntityList = { entities };
  if (typeof value.pageSize === 'number') list.pageSize = value.pageSize;
  const next = optionalString(value.next);
  if (next !== undefined) list.next = next;
  const previousPage = optionalString(value.previousPage);
  if (previousPage !== undefined) list.previousPage = previousPage;
  return list;
}

/** Reads a `WebChatMemberInfoEntityList`; invalid entities are dropped. */
export function toMemberEntityList(value: unknown): WebChatMemberInfoEntityList | undefined {
  if (!isRecord(value) || !Array.isArray(value.entities)) return undefined;
  const entities: WebChatMemberInfo[] = [];
  for (const entity of value.entities) {
    const member = toWebChatMemberInfo(entity);
    if (member !== undefined) entities.push(member);
  }
  const list: WebChatMemberInfoEntityList = { entities };
  if (typeof value.pageSize === 'number') list.pageSize = value.pageSize;
  if (typeof value.pageNumber === 'number') list.pageNumber = value.pageNumber;
  if (typeof value.total === 'number') list.total = value.total;
  if (typeof value.pageCount === 'number') list.pageCount = value.pageCount;
  return list;
}

/** Reads an `ErrorBody`; undefined unless it has at least a string `code`. */
export function toErrorBody(value: unknown): ErrorBody | undefined {
  if (!isRecord(value) || !isNonEmptyString(value.code)) return undefined;
  const body: ErrorBody = {
    code: value.code,
    message: optionalString(value.message) ?? '',
    status: typeof value.status === 'number' ? value.status : 0,
  };
  const messageWithParams = optionalString(value.messageWithParams);
  if (messageWithParams !== undefined) body.messageWithParams = messageWithParams;
  const messageParams = toStringMap(value.messageParams);
  if (messageParams !== undefined) body.messageParams = messageParams;
  const contextId = optionalString(value.contextId);
  if (contextId !== undefined) body.contextId = contextId;
  return body;
}
