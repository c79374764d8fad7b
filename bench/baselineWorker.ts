import { randomUUID } from 'node:crypto';
import { Agent, createServer, get, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { GenesysEndpoints, StartResult } from './protocol';
import { serveCommands, type WorkerOwnCommand } from './workerRuntime';

/**
 * The floor: the least code that relays between Bot Framework-style HTTP and the Web Messaging
 * Guest API. One raw `ws` per chat doing configureSession / onMessage; socket agent messages are
 * POSTed to the connector, HTTP user messages are written to the socket. No bot framework, no
 * state, no persistence, no pacing, no health checks. A "restart" reconnects every session and
 * replays missed agent messages from history, the least a recovery has to do.
 */

interface Chat {
  conversationId: string;
  serviceUrl: string;
  token: string;
  ws: WebSocket | undefined;
  seen: Set<string>;
}

interface Frame {
  type?: string;
  class?: string;
  code?: number;
  tracingId?: string;
  body?: { id?: string; direction?: string; type?: string; text?: string; channel?: { from?: { nickname?: string } } };
}

interface HistoryPage {
  entities?: Frame['body'][];
}

const RESUME_PARALLELISM = 16;

let endpoints: GenesysEndpoints | undefined;
let server: Server | undefined;
const chats = new Map<string, Chat>();
const pending = new Map<string, (frame: Frame) => void>();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let tracingCounter = 0;

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

function call(chat: Chat, frame: Record<string, unknown>): Promise<Frame> {
  const ws = chat.ws;
  if (ws?.readyState !== WebSocket.OPEN) return Promise.reject(new Error('baseline: socket not open'));
  const tracingId = `t${++tracingCounter}`;
  return new Promise<Frame>((resolve) => {
    pending.set(tracingId, resolve);
    ws.send(JSON.stringify({ ...frame, token: chat.token, tracingId }));
  });
}

function forward(chat: Chat, text: string, agentName: string): void {
  const body = JSON.stringify({
    type: 'message',
    text,
    from: { id: 'agent', name: agentName },
    conversation: { id: chat.conversationId },
  });
  const req = request(`${chat.serviceUrl}/v3/conversations/${encodeURIComponent(chat.conversationId)}/activities`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  req.on('response', (res) => res.resume());
  req.on('error', () => undefined);
  req.end(body);
}

function deliverOutbound(chat: Chat, body: NonNullable<Frame['body']>): void {
  if (body.direction !== 'Outbound' || body.type !== 'Text' || body.id === undefined || chat.seen.has(body.id)) return;
  chat.seen.add(body.id);
  forward(chat, body.text ?? '', body.channel?.from?.nickname ?? 'agent');
}

function connect(chat: Chat): Promise<void> {
  if (endpoints === undefined) return Promise.reject(new Error('baseline: not started'));
  const url = `${endpoints.webMessagingUrl}?deploymentId=${encodeURIComponent(endpoints.deploymentId)}`;
  const deploymentId = endpoints.deploymentId;
  return new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url);
    chat.ws = ws;
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      const waiter = frame.tracingId === undefined ? undefined : pending.get(frame.tracingId);
      if (waiter !== undefined && frame.tracingId !== undefined) {
        pending.delete(frame.tracingId);
        waiter(frame);
        return;
      }
      if (frame.type === 'message' && frame.class === 'StructuredMessage' && frame.body !== undefined)
        deliverOutbound(chat, frame.body);
    });
    ws.on('open', () => {
      call(chat, { action: 'configureSession', deploymentId }).then((frame) => {
        if (frame.code === 200) resolve();
        else reject(new Error(`baseline: configureSession answered ${String(frame.code)}`));
      }, reject);
    });
  });
}

async function openChat(conversationId: string, serviceUrl: string, text: string): Promise<void> {
  const chat: Chat = { conversationId, serviceUrl, token: randomUUID(), ws: undefined, seen: new Set() };
  chats.set(conversationId, chat);
  await connect(chat);
  await call(chat, {
    action: 'onMessage',
    message: { type: 'Text', text, channel: { metadata: { customAttributes: { botConversationId: conversationId } } } },
  });
}

async function handleActivity(body: string): Promise<number> {
  const activity = JSON.parse(body) as { text?: string; serviceUrl?: string; conversation?: { id?: string } };
  const conversationId = activity.conversation?.id;
  const text = activity.text ?? '';
  if (conversationId === undefined || activity.serviceUrl === undefined) return 400;
  const chat = chats.get(conversationId);
  if (chat === undefined) {
    if (/\bagent\b/i.test(text)) await openChat(conversationId, activity.serviceUrl, text);
    return 200;
  }
  await call(chat, { action: 'onMessage', message: { type: 'Text', text } });
  return 200;
}

async function listen(): Promise<number> {
  const s = createServer((req, res) => {
    readBody(req)
      .then((body) => handleActivity(body))
      .then(
        (status) => {
          res.statusCode = status;
          res.end();
        },
        () => {
          res.statusCode = 500;
          res.end();
        },
      );
  });
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  server = s;
  return (s.address() as AddressInfo).port;
}

function fetchHistory(jwt: string): Promise<HistoryPage> {
  if (endpoints === undefined) return Promise.reject(new Error('baseline: not started'));
  const url = `${endpoints.apiUrl}/api/v2/webmessaging/messages?pageSize=25&pageNumber=1`;
  return new Promise<HistoryPage>((resolve, reject) => {
    get(url, { agent, headers: { authorization: `bearer ${jwt}` } }, (res) => {
      readBody(res).then((text) => {
        resolve(JSON.parse(text) as HistoryPage);
      }, reject);
    }).on('error', reject);
  });
}

async function resume(chat: Chat): Promise<void> {
  await connect(chat);
  const jwtFrame = await call(chat, { action: 'getJwt' });
  const jwt = (jwtFrame.body as { jwt?: string } | undefined)?.jwt;
  if (jwt === undefined) throw new Error('baseline: no jwt');
  const page = await fetchHistory(jwt);
  for (const entity of [...(page.entities ?? [])].reverse()) if (entity !== undefined) deliverOutbound(chat, entity);
}

async function stopRelay(): Promise<void> {
  await Promise.all(
    [...chats.values()].map(
      (chat) =>
        new Promise<void>((resolve) => {
          const ws = chat.ws;
          chat.ws = undefined;
          if (ws === undefined || ws.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          ws.once('close', () => {
            resolve();
          });
          ws.close();
        }),
    ),
  );
  const s = server;
  server = undefined;
  if (s !== undefined) {
    s.closeAllConnections();
    await new Promise<void>((resolve) =>
      s.close(() => {
        resolve();
      }),
    );
  }
}

async function startRelay(): Promise<StartResult> {
  const began = performance.now();
  const port = await listen();
  const all = [...chats.values()];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(RESUME_PARALLELISM, all.length) }, async () => {
      while (next < all.length) {
        const chat = all[next++];
        if (chat !== undefined) await resume(chat);
      }
    }),
  );
  return { port, startMs: performance.now() - began };
}

async function handle(command: WorkerOwnCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'storageOps':
      // No storage: nothing to count.
      return { records: { reads: 0, writes: 0, queries: 0 }, state: { reads: 0, writes: 0, queries: 0 } };
    case 'start':
      endpoints = command.options;
      return { port: await listen(), startMs: 0 } satisfies StartResult;
    case 'stopApp': {
      const began = performance.now();
      await stopRelay();
      return { stopMs: performance.now() - began };
    }
    case 'startApp':
      return startRelay();
    case 'sweep':
      return { sweepMs: 0 };
    case 'counters':
      return { localChats: chats.size };
    case 'exit':
      return null;
  }
}

serveCommands(handle);
