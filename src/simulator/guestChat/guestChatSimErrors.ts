import { randomUUID } from 'node:crypto';
import type { ErrorBody, ErrorDetail } from './guestChatTypes';

/** Optional parts of an {@link errorBody}. */
export interface ErrorBodyOptions {
  /** Values substituted for `{name}` in the message to form `messageWithParams`. */
  messageParams?: Record<string, string>;
  /** Overrides the computed `messageWithParams`. */
  messageWithParams?: string;
  details?: ErrorDetail[];
  entityId?: string;
  entityName?: string;
}

/**
 * Builds the Genesys `ErrorBody` envelope (docs/genesys-protocol.md §3.6 [C]): every field the real API fills,
 * a fresh `contextId`, empty `details`/`errors` unless given.
 */
export function errorBody(status: number, code: string, message: string, options: ErrorBodyOptions = {}): ErrorBody {
  const messageParams = options.messageParams ?? {};
  const messageWithParams =
    options.messageWithParams ?? message.replace(/\{(\w+)\}/g, (whole, name: string) => messageParams[name] ?? whole);
  const body: ErrorBody = {
    message,
    code,
    status,
    messageWithParams,
    messageParams,
    contextId: randomUUID(),
    details: options.details ?? [],
    errors: [],
  };
  if (options.entityId !== undefined) body.entityId = options.entityId;
  if (options.entityName !== undefined) body.entityName = options.entityName;
  return body;
}

/**
 * The exact answer to a message or typing call before the event stream is attached or after the
 * chat ended, as captured on the developer forum (docs/genesys-protocol.md §3.6 [O]).
 */
export function conversationStateError(): ErrorBody {
  return errorBody(400, 'chat.error.conversation.state', 'Conversation State', {
    messageWithParams: 'Conversation State',
    messageParams: { message: 'The conversation is not active' },
  });
}

/** `404 not.found`: what a retired org answers for every `/api/v2/webchat/...` path ([I] docs/genesys-protocol.md §3.10). */
export function notFoundError(): ErrorBody {
  return errorBody(404, 'not.found', 'The requested resource was not found.');
}

/** An HTTP answer: status, JSON body (none for 204) and extra headers. */
export interface HttpAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by a route to answer with an error instead of its normal result. */
export class HttpProblem extends Error {
  constructor(readonly answer: HttpAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

/** Answers the current request with `body` (its `status`) and optional headers. */
export function fail(body: ErrorBody, headers?: Record<string, string>): never {
  throw new HttpProblem(headers === undefined ? { status: body.status, body } : { status: body.status, body, headers });
}
