import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the connector answers one attempt instead of accepting it, like the Bot Connector and Teams
 * do (Microsoft Learn, Teams "Messages in bot conversations"): `status` with the body `{error: {code, message}}`, an optional
 * `Retry-After` (seconds) and a delay before answering (`delayMs`, also for accepted attempts).
 */
export interface ConnectorAnswer {
  status: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  delayMs?: number;
}

/** Common refusals, as the channels send them. */
export const CONNECTOR_REFUSALS = {
  throttled: { status: 429, code: 'Throttled', message: 'Too many requests', retryAfterSeconds: 1 },
  serviceError: { status: 500, code: 'ServiceError', message: 'Internal service error' },
  unavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service unavailable' },
  wrongGeo: { status: 400, code: 'BadArgument', message: 'Incoming request was redirected to the wrong geo!' },
  notInRoster: {
    status: 403,
    code: 'BotNotInConversationRoster',
    message: 'The bot is not part of the conversation roster.',
  },
  conversationNotFound: { status: 404, code: 'ConversationNotFound', message: 'Conversation not found.' },
  outsideWindow: {
    status: 400,
    code: 'BadArgument',
    message: '(#10) This message is sent outside of allowed window.',
  },
} satisfies Record<string, ConnectorAnswer>;

/** One attempt the bot made, with what the connector answered. */
export interface ConnectorAttempt {
  conversationId: string;
  /** First path segment of the serviceUrl (`''` without one): tells regions apart. */
  region: string;
  activity: RecordedActivity['activity'];
  status: number;
}

/**
 * Decides how an attempt is answered: `undefined` (or a `status` of 200) accepts it. Gets the
 * attempt and how many attempts this conversation saw before it.
 */
export type ConnectorFault = (
  attempt: Omit<ConnectorAttempt, 'status'>,
  previous: number,
) => ConnectorAnswer | undefined;

/** An activity the bot sent to the connector, with the path it was sent to. */
export interface RecordedActivity {
  conversationId: string;
  path: string;
  authorization: string | undefined;
  activity: Record<string, unknown> & { type?: string; text?: string; replyToId?: string };
}

/**
 * The channel side of the Bot Framework, as the Emulator provides it: receives the bot's replies at
 * `[/{region}]/v3/conversations/{id}/activities[/{replyToId}]` and records them. Per conversation it
 * can be scripted ({@link ConnectorRecorder.fault}) to refuse, throttle or answer slowly; every
 * attempt is kept in {@link ConnectorRecorder.attempts}, accepted ones also in `activities` (what
 * the user saw).
 */
export class ConnectorRecorder {
  readonly activities: RecordedActivity[] = [];
  readonly attempts: ConnectorAttempt[] = [];
  private readonly faults = new Map<string, ConnectorFault>();
  private readonly waiters: (() => void)[] = [];
  private server: Server | undefined;
  private counter = 0;
  /** Files served at `GET /v3/attachments/{id}/views/original`, as Teams serves a user's pasted image. */
  private readonly files = new Map<string, { bytes: Buffer; contentType: string; token?: string }>();
  /** The `Authorization` header of every attachment download, in order. */
  readonly attachmentRequests: { id: string; authorization: string | undefined }[] = [];

  /**
   * Serves `bytes` as the channel's copy of a user's file and returns its URL (Teams-style:
   * `{serviceUrl}/v3/attachments/{id}/views/original`). With `token`, only a request bearing it gets
   * the file (others: 401), as Teams answers without the bot's token.
   */
  serveAttachment(id: string, file: { bytes: Buffer; contentType: string; token?: string }): string {
    this.files.set(id, file);
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/v3/attachments/${id}/views/original`;
  }

  /** Starts on a free loopback port; resolves with the serviceUrl to put in activities. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (body) => {
        const attachment = /^\/v3\/attachments\/([^/]+)\/views\/original$/.exec(req.url ?? '');
        if (req.method === 'GET' && attachment?.[1] !== undefined) {
          const id = attachment[1];
          this.attachmentRequests.push({ id, authorization: req.headers.authorization });
          const file = this.files.get(id);
          const allowed =
            file !== undefined && (file.token === undefined || req.headers.authorization === `Bearer ${file.token}`);
          res.statusCode = file === undefined ? 404 : allowed ? 200 : 401;
          if (allowed) res.setHeader('content-type', file.contentType);
          res.end(allowed ? file.bytes : undefined);
          return;
        }
        const match = /^(?:\/([a-z]+))?\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
        if (req.method !== 'POST' || match === null) {
          res.statusCode = 404;
          res.end();
          return;
        }
        let activity: RecordedActivity['activity'];
        try {
          activity = JSON.parse(body) as RecordedActivity['activity'];
        } catch {
          res.statusCode = 400;
          res.end();
          return;
        }
        const conversationId = decodeURIComponent(match[2] ?? '');
        const attempt = { conversationId, region: match[1] ?? '', activity };
        const previous = this.attempts.filter((a) => a.conversationId === conversationId).length;
        const answer = this.faults.get(conversationId)?.(attempt, previous);
        if (answer?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        this.attempts.push({ ...attempt, status: answer?.status ?? 200 });
        if (answer !== undefined && answer.status !== 200) {
          res.statusCode = answer.status;
          res.setHeader('content-type', 'application/json');
          if (answer.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(answer.retryAfterSeconds));
          res.end(JSON.stringify({ error: { code: answer.code ?? 'Error', message: answer.message ?? '' } }));
          for (const wake of this.waiters.splice(0)) wake();
          return;
        }
        this.activities.push({
          conversationId,
          path: req.url ?? '',
          authorization: req.headers.authorization,
          activity,
        });
        // restify replaces ServerResponse#writeHead process-wide (it no longer returns the response): no chaining.
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: `reply-${++this.counter}` }));
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers the attempts of `conversationId` as `fault` decides (`undefined` removes it). */
  fault(conversationId: string, fault: ConnectorFault | undefined): void {
    if (fault === undefined) this.faults.delete(conversationId);
    else this.faults.set(conversationId, fault);
  }

  /** Attempts the connector refused in a conversation. */
  refusals(conversationId: string): ConnectorAttempt[] {
    return this.attempts.filter((a) => a.conversationId === conversationId && a.status !== 200);
  }

  /** Message texts sent to a conversation, in order. */
  texts(conversationId: string): string[] {
    return this.activities
      .filter((a) => a.conversationId === conversationId && a.activity.type === 'message')
      .map((a) => a.activity.text ?? '');
  }

  /** Waits until `predicate` holds (checked after every received activity) or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; received: ${JSON.stringify(this.activities.map((a) => a.activity.text ?? a.activity.type))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until a conversation received `text` (a message containing it). */
  async waitForText(conversationId: string, text: string, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(
      () => this.texts(conversationId).some((t) => t.includes(text)),
      timeoutMs,
      `"${text}" in ${conversationId}`,
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Posts an activity to the bot the way the Emulator does (no auth header when no app id). */
export async function postActivity(
  botUrl: string,
  activity: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
}

/** An Emulator-style user message. */
export function userMessage(
  serviceUrl: string,
  conversationId: string,
  text: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'message',
    id: `act-${Math.random().toString(36).slice(2)}`,
    channelId: 'emulator',
    serviceUrl,
    text,
    timestamp: new Date().toISOString(),
    from: { id: `user-${conversationId}`, name: 'Dana Customer', role: 'user' },
    recipient: { id: 'bot', name: 'Bot', role: 'bot' },
    conversation: { id: conversationId },
    ...extra,
  };
}
