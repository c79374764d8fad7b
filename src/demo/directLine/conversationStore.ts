import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Logger } from '../../logger';
import type { Account } from './clientActivity';

/** An activity kept in a conversation's stream. */
export type StreamActivity = Record<string, unknown> & { id: string };

/** A Direct Line conversation held in memory. */
export interface Conversation {
  id: string;
  token: string;
  tokenExpiresAt: number;
  /** The user bound to the token, if the token was generated for one. */
  user: Account | undefined;
  activities: StreamActivity[];
  /** Watermark of `activities[0]`. */
  firstSeq: number;
  /** Watermark after the newest activity. */
  nextSeq: number;
  sockets: Set<WebSocket>;
  started: boolean;
  lastUsedAt: number;
  /** Runs out when the last stream closed and no new one opened: the customer left. */
  leaveTimer: NodeJS.Timeout | undefined;
  /** Whether the bot was told that the customer left. */
  left: boolean;
}

/** Options of {@link ConversationStore}. */
export interface ConversationStoreOptions {
  logger: Logger;
  maxConversations: number;
  maxActivities: number;
  tokenLifetimeMs: number;
  now: () => number;
  /** Names given, in turn, to users created without one (see `DirectLineOptions.customerNames`). */
  customerNames: readonly string[];
}

/**
 * The Direct Line conversations of the demo, by id and by token, least recently used first, each
 * with its activities (for polling and reconnects) and its open streams.
 */
export class ConversationStore {
  private readonly conversations = new Map<string, Conversation>();
  private readonly byToken = new Map<string, Conversation>();
  private named = 0;

  constructor(private readonly options: ConversationStoreOptions) {}

  /** Number of conversations held. */
  get size(): number {
    return this.conversations.size;
  }

  /** Every conversation, least recently used first. */
  all(): Conversation[] {
    return [...this.conversations.values()];
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  has(id: string): boolean {
    return this.conversations.has(id);
  }

  /** The conversation of a token that has not expired. */
  withToken(token: string): Conversation | undefined {
    const conversation = this.byToken.get(token);
    return conversation === undefined || conversation.tokenExpiresAt <= this.options.now() ? undefined : conversation;
  }

  /** Whether `token` is the conversation's valid token. */
  tokenValid(conversation: Conversation, token: string | undefined): boolean {
    return token === conversation.token && conversation.tokenExpiresAt > this.options.now();
  }

  /** A new conversation with a new token (making room first). */
  create(user: Account | undefined): Conversation {
    this.evict();
    const now = this.options.now();
    const conversation: Conversation = {
      id: randomBytes(12).toString('hex'),
      token: randomBytes(24).toString('base64url'),
      tokenExpiresAt: now + this.options.tokenLifetimeMs,
      user: user === undefined ? undefined : { ...this.withName(user), role: 'user' },
      activities: [],
      firstSeq: 0,
      nextSeq: 0,
      sockets: new Set(),
      started: false,
      lastUsedAt: now,
      leaveTimer: undefined,
      left: false,
    };
    this.conversations.set(conversation.id, conversation);
    this.byToken.set(conversation.token, conversation);
    return conversation;
  }

  /** The user with the next of the configured names when it has none. */
  private withName(user: Account): Account {
    const names = this.options.customerNames;
    if (user.name !== undefined || names.length === 0) return user;
    const round = Math.floor(this.named / names.length);
    const name = names[this.named % names.length] ?? 'Customer';
    this.named++;
    return { ...user, name: round === 0 ? name : `${name} ${round + 1}` };
  }

  /** Extends the token's lifetime. */
  refresh(conversation: Conversation): void {
    conversation.tokenExpiresAt = this.options.now() + this.options.tokenLifetimeMs;
  }

  /** Marks a conversation as recently used (the map's order is least recently used first). */
  touch(conversation: Conversation): void {
    conversation.lastUsedAt = this.options.now();
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
  }

  /** Adds an activity to the conversation and sends it to every open stream. */
  append(conversation: Conversation, fields: Record<string, unknown>): StreamActivity {
    const seq = conversation.nextSeq;
    const activity: StreamActivity = { ...fields, id: `${conversation.id}|${String(seq).padStart(7, '0')}` };
    conversation.activities.push(activity);
    conversation.nextSeq = seq + 1;
    while (conversation.activities.length > this.options.maxActivities) {
      conversation.activities.shift();
      conversation.firstSeq++;
    }
    const frame = { activities: [activity], watermark: String(conversation.nextSeq) };
    for (const ws of conversation.sockets) sendFrame(ws, frame);
    return activity;
  }

  /** The kept activities from `watermark` on. */
  activitiesSince(conversation: Conversation, watermark: number): StreamActivity[] {
    const from = Math.max(0, Math.min(watermark, conversation.nextSeq) - conversation.firstSeq);
    return conversation.activities.slice(from);
  }

  /** The `Conversation` object of the Direct Line API (without `streamUrl`). */
  describe(conversation: Conversation): { conversationId: string; token: string; expires_in: number } {
    return {
      conversationId: conversation.id,
      token: conversation.token,
      expires_in: Math.max(0, Math.floor((conversation.tokenExpiresAt - this.options.now()) / 1000)),
    };
  }

  /** Closes every stream and forgets every conversation. */
  clear(): void {
    for (const conversation of this.conversations.values()) {
      if (conversation.leaveTimer !== undefined) clearTimeout(conversation.leaveTimer);
      for (const ws of conversation.sockets) ws.terminate();
    }
    this.conversations.clear();
    this.byToken.clear();
  }

  /**
   * Drops conversations whose token expired with no open stream, then, over the limit, the least
   * recently used ones: first those with no open stream (nobody is watching them), then any.
   */
  private evict(): void {
    const now = this.options.now();
    for (const conversation of this.all()) {
      if (conversation.tokenExpiresAt <= now && conversation.sockets.size === 0) this.drop(conversation, 'expired');
    }
    for (const conversation of this.all()) {
      if (this.conversations.size < this.options.maxConversations) return;
      if (conversation.sockets.size === 0) this.drop(conversation, 'too many conversations');
    }
    while (this.conversations.size >= this.options.maxConversations) {
      const oldest = this.conversations.values().next().value;
      if (oldest === undefined) break;
      this.drop(oldest, 'too many conversations');
    }
  }

  private drop(conversation: Conversation, reason: string): void {
    this.conversations.delete(conversation.id);
    this.byToken.delete(conversation.token);
    if (conversation.leaveTimer !== undefined) clearTimeout(conversation.leaveTimer);
    conversation.leaveTimer = undefined;
    for (const ws of conversation.sockets) ws.close(1000, 'conversation closed');
    conversation.sockets.clear();
    this.options.logger.debug({ conversationId: conversation.id, reason }, 'direct line conversation dropped');
  }
}

/** Sends a Direct Line `ActivitySet` frame when the socket is open. */
export function sendFrame(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
