import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosResponse } from 'axios';
import {
  OpenMessagingSimulator,
  type OpenMessagingSimulatorOptions,
} from '../../src/simulator/openMessaging/openMessagingSimulator';

export const INTEGRATION_ID = '0f6c2b1e-7d4e-4d1a-9a55-2b7f1c9e0a11';
export const INTEGRATION_NAME = 'Bot relay';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests';
export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-client-secret';

/** A webhook request as received: raw bytes, headers, parsed body. */
export interface ReceivedWebhook {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** What the receiver answers one request: a status, optionally after a delay. */
export interface ReceiverAnswer {
  status: number;
  delayMs?: number;
}

/** A real HTTP server standing in for the bot's webhook route. */
export class WebhookReceiver extends EventEmitter {
  readonly received: ReceivedWebhook[] = [];
  /** Answers used in order; after they run out, 200. */
  answers: ReceiverAnswer[] = [];
  private readonly server: Server;
  url = '';

  constructor() {
    super();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.received.push({
          raw,
          headers: req.headers,
          body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
        });
        this.emit('received');
        const answer = this.answers.shift() ?? { status: 200 };
        const reply = (): void => {
          if (res.destroyed) return;
          // Not chained: a patched ServerResponse (restify, loaded by other suites) may not return `this`.
          res.writeHead(answer.status);
          res.end();
        };
        if (answer.delayMs === undefined) reply();
        else setTimeout(reply, answer.delayMs);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/genesys/openmessaging`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Resolves once `count` requests have arrived. */
  waitForCount(count: number, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const onReceived = (): void => {
        if (this.received.length < count) return;
        clearTimeout(timer);
        this.off('received', onReceived);
        resolve(this.received);
      };
      const timer = setTimeout(() => {
        this.off('received', onReceived);
        reject(new Error(`webhook receiver: ${this.received.length} of ${count} requests after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('received', onReceived);
    });
  }
}

/** A simulator, its base URL, a webhook receiver and a controllable clock. */
export interface Rig {
  sim: OpenMessagingSimulator;
  baseUrl: string;
  receiver: WebhookReceiver;
  clock: { now: number };
  stop: () => Promise<void>;
}

/** Starts a simulator (one integration, one client) with its webhook pointing at a fresh receiver. */
export async function startRig(overrides: Partial<OpenMessagingSimulatorOptions> = {}): Promise<Rig> {
  const receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  const clock = { now: Date.parse('2026-11-30T10:00:00.000Z') };
  const sim = new OpenMessagingSimulator({
    integrations: [{ id: INTEGRATION_ID, name: INTEGRATION_NAME, webhookUrl, webhookSecret: WEBHOOK_SECRET }],
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    now: () => clock.now,
    ...overrides,
  });
  const baseUrl = await sim.start();
  return {
    sim,
    baseUrl,
    receiver,
    clock,
    stop: async () => {
      await sim.stop();
      await receiver.stop();
    },
  };
}

/** {@link startRig} plus a token of the test client. */
export async function startRigWithToken(
  overrides: Partial<OpenMessagingSimulatorOptions> = {},
): Promise<{ rig: Rig; token: string }> {
  const rig = await startRig(overrides);
  return { rig, token: await getToken(rig.baseUrl) };
}

/** `POST /oauth/token` with the client credentials grant; returns the access token. */
export async function getToken(baseUrl: string, clientId = CLIENT_ID, clientSecret = CLIENT_SECRET): Promise<string> {
  const response = await axios.post<{ access_token: string }>(
    `${baseUrl}/oauth/token`,
    'grant_type=client_credentials',
    {
      auth: { username: clientId, password: clientSecret },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
  );
  return response.data.access_token;
}

/** An authenticated API call that never throws on status. */
export function api<T = Record<string, unknown>>(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD',
  path: string,
  data?: unknown,
): Promise<AxiosResponse<T>> {
  return axios.request<T>({
    method,
    url: `${baseUrl}${path}`,
    data,
    headers: { authorization: `Bearer ${token}` },
    validateStatus: () => true,
  });
}

/** The inbound message path of the test integration. */
export const inboundPath = (kind: 'message' | 'event' | 'receipt' | 'structured/response', query = ''): string =>
  `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/${kind}${query}`;

/** A valid inbound text message from `externalId`. */
export function textMessage(
  externalId: string,
  text: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    channel: { from: { id: externalId, idType: 'Opaque', nickname: 'Ada' }, time: new Date().toISOString() },
    text,
    ...extra,
  };
}

/** Posts a text message with `prefetchConversationId=true`; returns the conversation id. */
export async function sendText(
  rig: Rig,
  token: string,
  externalId: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const response = await api<{ conversationId: string }>(
    rig.baseUrl,
    token,
    'POST',
    inboundPath('message', '?prefetchConversationId=true'),
    textMessage(externalId, text, extra),
  );
  if (response.status !== 200)
    throw new Error(`inbound message answered ${response.status}: ${JSON.stringify(response.data)}`);
  return response.data.conversationId;
}
