/**
 * Stable error codes for everything that can go wrong between the bot and Genesys Cloud.
 * The handoff layer maps each code to a user-facing sentence; operators see the code in logs.
 */
export type GenesysErrorCode =
  /** The deployment id is unknown to Genesys (or was deleted). */
  | 'unknownDeployment'
  /** The deployment only accepts connections from other origins. */
  | 'originNotAllowed'
  /** The deployment is switched off. */
  | 'deploymentDisabled'
  /** The deployment requires an authenticated guest and no (or a bad) token was given. */
  | 'authRequired'
  /** The routing target (queue) does not exist. */
  | 'invalidQueue'
  /** The API is retired for this org (every path answers 404). */
  | 'retired'
  /** Genesys rejected the request as malformed. */
  | 'badRequest'
  /** The message is longer than Genesys accepts (Web Messaging 4011): the user can split it. */
  | 'messageTooLong'
  /** The custom attributes sent with a message are larger than Genesys accepts (Web Messaging 4013). */
  | 'attributesTooLarge'
  /** The session is read-only because the agent ended the conversation (Web Messaging 409): nothing more can be sent. */
  | 'sessionReadOnly'
  /** Too many requests; `retryAfterMs` says when to try again. */
  | 'rateLimited'
  /** The guest session expired or no longer exists. */
  | 'sessionExpired'
  /** The conversation is not in a state that accepts this request (e.g. it ended). */
  | 'conversationState'
  /** The credentials (JWT, token) were refused. */
  | 'unauthorized'
  /** Genesys answered with a 5xx or an internal error code. */
  | 'serverError'
  /** Genesys could not be reached, or the connection dropped and could not be restored. */
  | 'network'
  /** No answer within the allotted time. */
  | 'timeout'
  /** Genesys sent something that does not follow the protocol. */
  | 'protocol'
  /** The session was closed locally; nothing more can be sent on it. */
  | 'closed'
  /** Genesys refused a file's type (Web Messaging 4001) or its name (4004, 4005), or the provider takes no files. */
  | 'fileTypeRefused'
  /** Genesys refused a file's size (Web Messaging 4002) or its content (4003, e.g. an empty file). */
  | 'fileTooLarge';

/** Options of a {@link GenesysError}. */
export interface GenesysErrorOptions {
  /** The underlying error, kept for logs. */
  cause?: unknown;
  /** HTTP status or websocket response code, when Genesys sent one. */
  status?: number;
  /** Genesys' own error code (e.g. `chat.error.invalid.queue`, `4011`). */
  genesysCode?: string;
  /** When Genesys asked us to wait before retrying. */
  retryAfterMs?: number;
}

/** An error from the Genesys side, with a stable {@link GenesysErrorCode}. */
export class GenesysError extends Error {
  readonly code: GenesysErrorCode;
  readonly status: number | undefined;
  readonly genesysCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: GenesysErrorCode, message: string, options: GenesysErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GenesysError';
    this.code = code;
    this.status = options.status;
    this.genesysCode = options.genesysCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True for failures that may succeed when tried again later. */
  get transient(): boolean {
    return (
      this.code === 'rateLimited' || this.code === 'serverError' || this.code === 'network' || this.code === 'timeout'
    );
  }
}

/** Narrows an unknown thrown value to a {@link GenesysError}. */
export function isGenesysError(err: unknown): err is GenesysError {
  return err instanceof GenesysError;
}
