import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { isRecord } from '../../json';
import type { SimulatorHost } from '../kit/simulatorHost';
import { CONVERSATIONS_PATH, type GuestChatModel, type SimConversation } from './guestChatModel';
import { conversationStateError, errorBody, fail, type HttpAnswer } from './guestChatSimErrors';
import { issueGuestChatJwt } from './guestChatSimJwt';
import {
  isWebChatBodyType,
  type GuestChatSimDeployment,
  type GuestChatSimulatorEvents,
  type GuestChatSimulatorOptions,
  type WebChatMemberInfo,
  type WebChatTyping,
} from './guestChatTypes';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the routes know of the simulated organization. */
export interface GuestChatOrganization {
  organizationId: string;
  /** By lower-case id. */
  deployments: ReadonlyMap<string, GuestChatSimDeployment>;
  /** Queue names. */
  queues: ReadonlySet<string>;
  options: GuestChatSimulatorOptions;
}

/**
 * The guest REST operations of the Guest Chat simulator (docs/genesys-protocol.md §3.2-§3.6,
 * simulator notes §3.10): create a chat, send, type, read messages and members, leave.
 */
export class GuestChatRoutes {
  constructor(
    private readonly model: GuestChatModel,
    private readonly host: SimulatorHost,
    private readonly events: EventEmitter<GuestChatSimulatorEvents>,
    private readonly config: GuestChatOrganization,
  ) {}

  /** The JSON of a request body; a `400 bad.request` for anything else. */
  private parseJson(raw: Buffer): unknown {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(
        errorBody(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'),
      );
    }
  }

  /** `POST /api/v2/webchat/guest/conversations`: validates and creates a chat (docs/genesys-protocol.md §3.2). */
  create(req: IncomingMessage, raw: Buffer): HttpAnswer {
    const body = this.parseJson(raw);
    if (!isRecord(body))
      fail(errorBody(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'));
    const invalid: (code: string, message: string, fieldName: string) => never = (code, message, fieldName) =>
      fail(errorBody(400, code, message, { details: [{ errorCode: code, fieldName }] }));

    // [I] docs/genesys-protocol.md §3.10: the order of these checks is not documented.
    if (body.organizationId !== this.config.organizationId)
      invalid('chat.error.bad.request', 'Invalid organization', 'organizationId');
    const deploymentId = body.deploymentId;
    if (typeof deploymentId !== 'string' || !GUID.test(deploymentId)) {
      invalid(
        'chat.error.pattern.createconversationrequest.deploymentid',
        'deploymentId must be a valid id',
        'deploymentId',
      );
    }
    const deployment = this.config.deployments.get(deploymentId.toLowerCase());
    // [U] the answer for an unknown deployment id is not documented.
    if (deployment === undefined) invalid('chat.error.bad.request', 'Deployment not found', 'deploymentId');
    if (deployment.enabled === false) invalid('chat.deployment.disabled', 'The deployment is disabled', 'deploymentId');
    const origin = req.headers.origin;
    if (
      deployment.allowedOrigins !== undefined &&
      (origin === undefined || !deployment.allowedOrigins.includes(origin))
    ) {
      fail(
        errorBody(
          403,
          'origin.not.allowed',
          'The origin of the request is not allowed to create an ACD chat conversation from an external customer.',
        ),
      );
    }
    const token = body.memberAuthToken;
    const tokenAccepted = typeof token === 'string' && (deployment.acceptedAuthTokens ?? []).includes(token);
    if (deployment.requireAuth === true) {
      if (typeof token !== 'string' || token === '')
        invalid('chat.deployment.require.auth', 'The deployment requires an authenticated guest', 'memberAuthToken');
      if (!tokenAccepted)
        invalid('chat.deployment.bad.auth', 'The member authentication token is not valid', 'memberAuthToken');
    }

    const target = body.routingTarget;
    if (!isRecord(target))
      invalid(
        'chat.error.notnull.createconversationrequest.routingtarget',
        'routingTarget may not be null',
        'routingTarget',
      );
    // docs/genesys-protocol.md §3.2: the swagger enum is QUEUE, implementations also send lowercase.
    if (typeof target.targetType !== 'string' || target.targetType.toLowerCase() !== 'queue') {
      invalid(
        'chat.error.createconversationrequest.routingtarget',
        'routingTarget.targetType must be QUEUE',
        'routingTarget.targetType',
      );
    }
    const targetAddress = target.targetAddress;
    if (typeof targetAddress !== 'string' || !this.config.queues.has(targetAddress)) {
      invalid('chat.error.invalid.queue', 'Invalid queue', 'routingTarget.targetAddress');
    }
    const skills = target.skills ?? [];
    if (!Array.isArray(skills) || !skills.every((s): s is string => typeof s === 'string'))
      invalid('invalid.value', 'skills must be a list of names', 'routingTarget.skills');
    const language = target.language;
    if (language !== undefined && typeof language !== 'string')
      invalid('invalid.value', 'language must be a name', 'routingTarget.language');
    const priority = target.priority;
    if (priority !== undefined && !Number.isInteger(priority))
      invalid('invalid.value', 'priority must be an integer', 'routingTarget.priority');

    const memberInfo = body.memberInfo;
    if (!isRecord(memberInfo) || typeof memberInfo.displayName !== 'string' || memberInfo.displayName.trim() === '') {
      invalid(
        'chat.error.notnull.createconversationrequest.memberinfo.displayname',
        'memberInfo.displayName may not be null',
        'memberInfo.displayName',
      );
    }
    const customFields: Record<string, string> = {};
    if (isRecord(memberInfo.customFields)) {
      for (const [key, value] of Object.entries(memberInfo.customFields)) {
        if (typeof value === 'string') customFields[key] = value;
      }
    }

    const conversationId = randomUUID();
    const guestId = randomUUID();
    const iat = Math.floor(this.model.now() / 1000);
    const lifetimeMs = this.config.options.jwtLifetimeMs ?? 78_761_000;
    const jwt = issueGuestChatJwt({
      data: { conv: conversationId, did: deploymentId, sub: guestId },
      iss: 'urn:purecloud:webchat',
      org: this.config.organizationId,
      iat,
      exp: Math.floor((this.model.now() + lifetimeMs) / 1000),
    });
    const guest: WebChatMemberInfo = {
      id: guestId,
      displayName: memberInfo.displayName,
      role: 'CUSTOMER',
      // [U] the guest's state before its stream is attached is not documented.
      state: 'CONNECTED',
      joinDate: this.model.isoNow(),
      leaveDate: null,
      authenticatedGuest: tokenAccepted,
      customFields,
    };
    for (const key of ['firstName', 'lastName', 'email', 'phoneNumber', 'avatarImageUrl'] as const) {
      const value = memberInfo[key];
      if (typeof value === 'string') guest[key] = value;
    }
    const c: SimConversation = {
      id: conversationId,
      deploymentId,
      jwt,
      guestId,
      state: 'pending',
      routingTarget: {
        targetType: target.targetType,
        targetAddress,
        skills: [...skills],
        language: typeof language === 'string' ? language : undefined,
        priority: typeof priority === 'number' ? priority : undefined,
      },
      members: new Map([[guestId, guest]]),
      messages: [],
      sockets: new Set(),
      currentAgentId: undefined,
      endedBy: undefined,
      guestAway: false,
    };
    this.model.conversations.set(conversationId, c);
    this.model.issuedJwts.set(jwt, conversationId);
    this.events.emit('conversationStarted', this.model.snapshot(c));
    this.model.changed();
    // docs/genesys-protocol.md §3.2 [O]: the response holds only these four parts, `member` with just its id.
    return {
      status: 200,
      body: { id: conversationId, jwt, eventStreamUri: `${this.host.wsUrl}/v1/token/${jwt}`, member: { id: guestId } },
    };
  }

  private requireGuestMember(c: SimConversation, memberId: string): void {
    if (memberId === c.guestId) return;
    if (!c.members.has(memberId)) fail(errorBody(404, 'chat.error.not.found', 'Member not found'));
    // [I] the guest's token cannot act for another member.
    fail(errorBody(403, 'not.authorized', 'You are not authorized to perform the requested action.'));
  }

  private requireChatAccepting(c: SimConversation): void {
    if (c.state !== 'active') fail(conversationStateError());
    // [U] a guest that is only away (its stream down, §3.7) can still send; one that left cannot.
    if (this.model.guestLeft(c)) {
      fail(
        errorBody(400, 'chat.error.member.state', 'Member State', {
          messageParams: { message: 'The member is not active' },
        }),
      );
    }
  }

  /** `POST .../members/{id}/messages` (docs/genesys-protocol.md §3.3). */
  postMessage(c: SimConversation, memberId: string, raw: Buffer): HttpAnswer {
    this.requireGuestMember(c, memberId);
    const body = this.parseJson(raw);
    if (!isRecord(body) || typeof body.body !== 'string') {
      fail(
        errorBody(400, 'chat.error.notnull.createconversationmessagerequest.body', 'body may not be null', {
          details: [{ fieldName: 'body' }],
        }),
      );
    }
    const bodyType = body.bodyType ?? 'standard';
    // [I] docs/genesys-protocol.md §3.3: an unknown enum value is refused as `invalid.value`.
    if (!isWebChatBodyType(bodyType))
      fail(
        errorBody(400, 'invalid.value', 'Value [{value}] is not valid for field type [bodyType].', {
          messageParams: { value: typeof bodyType === 'string' ? bodyType : JSON.stringify(bodyType) },
          details: [{ fieldName: 'bodyType' }],
        }),
      );
    const max = this.config.options.maxBodyChars ?? 4_000;
    // [I] The service validates `body` as a Java string, so its length is counted in UTF-16 code units
    // (an emoji counts two; docs/genesys-protocol.md §3.3).
    if (body.body.length > max) {
      // [U] code; [I] docs/genesys-protocol.md §3.10 `constraint.validation`.
      fail(
        errorBody(400, 'constraint.validation', 'body size must be between 0 and {max}', {
          messageParams: { max: String(max) },
          details: [{ fieldName: 'body' }],
        }),
      );
    }
    this.requireChatAccepting(c);
    const message = this.model.addMessage(c, c.guestId, body.body, bodyType);
    this.events.emit('guestMessage', { conversationId: c.id, message: { ...message } });
    return { status: 200, body: { ...message, sender: { id: c.guestId } } };
  }

  /** `POST .../members/{id}/typing` (docs/genesys-protocol.md §3.4). */
  postTyping(c: SimConversation, memberId: string): HttpAnswer {
    this.requireGuestMember(c, memberId);
    this.requireChatAccepting(c);
    const typing: WebChatTyping = {
      id: randomUUID(),
      conversation: { id: c.id },
      sender: { id: c.guestId },
      timestamp: this.model.isoNow(),
    };
    this.model.broadcast(c, this.model.frame(c, 'messages', 'typing-indicator', typing));
    this.events.emit('guestTyping', { conversationId: c.id, typing });
    return { status: 200, body: { ...typing, conversation: { id: c.id, selfUri: `/api/v2/conversations/${c.id}` } } };
  }

  /** `GET .../messages` (docs/genesys-protocol.md §3.5). */
  listMessages(c: SimConversation, query: URLSearchParams): HttpAnswer {
    const invalidParam: (name: string, value: string) => never = (name, value) =>
      fail(
        errorBody(400, 'invalid.value', 'Value [{value}] is not valid for field type [{field}].', {
          messageParams: { value, field: name },
          details: [{ fieldName: name }],
        }),
      );
    const sortOrder = query.get('sortOrder') ?? 'ascending';
    if (sortOrder !== 'ascending' && sortOrder !== 'descending') invalidParam('sortOrder', sortOrder);
    const maxRaw = query.get('maxResults');
    const maxResults = maxRaw === null ? 100 : Number(maxRaw);
    // [I] docs/genesys-protocol.md §3.5: "maximum 100"; a larger value is refused rather than clamped.
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) invalidParam('maxResults', maxRaw ?? '');
    const indexOf = (name: string): number | undefined => {
      const id = query.get(name);
      if (id === null) return undefined;
      const index = c.messages.findIndex((m) => m.id === id);
      // [I] the answer for an unknown cursor id is not documented.
      if (index < 0) invalidParam(name, id);
      return index;
    };
    const afterIndex = indexOf('after');
    const beforeIndex = indexOf('before');
    const range = c.messages.slice(afterIndex === undefined ? 0 : afterIndex + 1, beforeIndex ?? c.messages.length);
    const ordered = sortOrder === 'ascending' ? range : [...range].reverse();
    const entities = ordered.slice(0, maxResults);
    const selfUri = `${CONVERSATIONS_PATH}/${c.id}/messages`;
    const list: Record<string, unknown> = { pageSize: maxResults, entities, selfUri };
    // [U] docs/genesys-protocol.md §3.5: the format of `next`/`previousPage` is unknown; clients should page with `after`.
    const last = entities.at(-1);
    if (ordered.length > entities.length && last !== undefined) {
      list.next = `${selfUri}?${sortOrder === 'ascending' ? 'after' : 'before'}=${last.id}&sortOrder=${sortOrder}&maxResults=${maxResults}`;
    }
    return { status: 200, body: list };
  }

  /** `GET .../messages/{id}`. */
  getMessage(c: SimConversation, messageId: string): HttpAnswer {
    const message = c.messages.find((m) => m.id === messageId);
    if (message === undefined) fail(errorBody(404, 'chat.error.not.found', 'Message not found'));
    return { status: 200, body: message };
  }

  /** `GET .../members` (docs/genesys-protocol.md §3.5). */
  listMembers(c: SimConversation, query: URLSearchParams): HttpAnswer {
    const pageSize = Number(query.get('pageSize') ?? 25);
    const pageNumber = Number(query.get('pageNumber') ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1) fail(errorBody(400, 'invalid.value', 'pageSize is not valid'));
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      fail(errorBody(400, 'invalid.value', 'pageNumber is not valid'));
    const exclude = query.get('excludeDisconnectedMembers') === 'true';
    const all = [...c.members.values()].filter((m) => !exclude || m.state !== 'DISCONNECTED');
    const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const pageCount = Math.max(1, Math.ceil(all.length / pageSize));
    const selfUri = `${CONVERSATIONS_PATH}/${c.id}/members`;
    const page = (n: number): string => `${selfUri}?pageSize=${pageSize}&pageNumber=${n}`;
    const body: Record<string, unknown> = {
      entities,
      pageSize,
      pageNumber,
      total: all.length,
      pageCount,
      firstUri: page(1),
      lastUri: page(pageCount),
      selfUri: page(pageNumber),
    };
    if (pageNumber > 1) body.previousUri = page(pageNumber - 1);
    if (pageNumber < pageCount) body.nextUri = page(pageNumber + 1);
    return { status: 200, body };
  }

  /** `GET .../members/{id}`. */
  getMember(c: SimConversation, memberId: string): HttpAnswer {
    const member = c.members.get(memberId);
    if (member === undefined) fail(errorBody(404, 'chat.error.not.found', 'Member not found'));
    return { status: 200, body: member };
  }

  /** `DELETE .../members/{guestId}`: the guest leaves (docs/genesys-protocol.md §3.6). */
  deleteMember(c: SimConversation, memberId: string): HttpAnswer {
    this.requireGuestMember(c, memberId);
    if (c.state === 'ended' || this.model.guestLeft(c)) fail(conversationStateError());
    this.model.endChat(c, 'guest');
    return { status: 204 };
  }
}
