import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../logger';
import { isGenesysError } from '../genesysError';
import type { RetryPolicy } from '../retryPolicy';
import type { Clock } from '../shared';
import type { OpenMessagingApi } from './openMessagingApi';

/** Options of {@link NotificationsSubscriber}. */
export interface NotificationsSubscriberOptions {
  api: OpenMessagingApi;
  /** The topics wanted now (read on every {@link NotificationsSubscriber.sync}). */
  wantedTopics: () => string[];
  /** Receives every topic event frame `{ topicName, eventBody }`. */
  onEvent: (topicName: string, eventBody: unknown) => void;
  /**
   * Called once when Genesys refuses the OAuth client (401/403) on a channel or subscription call;
   * the subscriber has stopped by then. The owner says what that means for its users.
   */
  onRefused: (err: unknown) => void;
  logger: Logger;
  clock: Clock;
  /** Topics per channel (docs/genesys-protocol.md §6.5: 1,000). */
  maxTopicsPerChannel: number;
  /** A channel is replaced this long before it expires (ms; channels live about 24 h). */
  renewBeforeMs: number;
  /** A socket silent this long (no heartbeat, about every 30 s) is taken for dead (ms). */
  silenceTimeoutMs: number;
  /** Delays before a failed channel is set up again. */
  reconnectPolicy: RetryPolicy;
}

interface LiveChannel {
  id: string;
  ws: WebSocket;
  topics: string[];
  renewTimer: NodeJS.Timeout | undefined;
  watchdog: NodeJS.Timeout | undefined;
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/**
 * Follows conversation detail events over the Notifications API (docs/genesys-protocol.md §6.5):
 * creates streaming channels, opens one socket per channel, and keeps each channel's topics equal
 * to its share of {@link NotificationsSubscriberOptions.wantedTopics} (at most
 * `maxTopicsPerChannel` per channel, a further channel beyond). A channel is replaced before its
 * 24 h expiry, on `v2.system.socket_closing`, and when its socket closes or falls silent; the new
 * channel gets every topic again. A refused OAuth client (401/403) stops the subscriber and is
 * reported through {@link NotificationsSubscriberOptions.onRefused}.
 */
export class NotificationsSubscriber {
  private readonly channels: (LiveChannel | undefined)[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NotificationsSubscriberOptions) {}

  /** Number of channels with an open socket (tests, diagnostics). */
  get openChannels(): number {
    return this.channels.filter((c) => c?.ws.readyState === WebSocket.OPEN).length;
  }

  /** Ids of the channels set up now (tests, diagnostics). */
  channelIds(): string[] {
    return this.channels.flatMap((c) => (c === undefined ? [] : [c.id]));
  }

  /** Brings channels and subscriptions in line with the wanted topics; calls made meanwhile coalesce. */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      // `sync` calls made during a pass set `again`: one more pass covers them all.
      for (let more = true; more; more = this.takeAgain()) await this.syncOnce();
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private takeAgain(): boolean {
    const again = this.again && !this.stopped;
    this.again = false;
    return again;
  }

  /** Closes every socket; nothing is set up again. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    for (let i = 0; i < this.channels.length; i++) this.drop(i, 'stopping');
    await this.running;
  }

  private async syncOnce(): Promise<void> {
    const wanted = [...new Set(this.options.wantedTopics())].sort();
    const size = this.options.maxTopicsPerChannel;
    const chunks: string[][] = [];
    for (let i = 0; i < wanted.length; i += size) chunks.push(wanted.slice(i, i + size));
    try {
      for (let i = 0; i < chunks.length; i++) {
        const topics = chunks[i] ?? [];
        const channel = this.channels[i] ?? (await this.open(i));
        if (this.stopped) return;
        if (channel.topics.join('\n') === topics.join('\n')) continue;
        const rejected = await this.options.api.replaceSubscriptions(channel.id, topics);
        if (rejected.length > 0) this.options.logger.warn({ rejected }, 'Genesys rejected notification topics');
        channel.topics = topics;
      }
      for (let i = chunks.length; i < this.channels.length; i++) this.drop(i, 'no longer needed');
      this.channels.length = Math.min(this.channels.length, chunks.length);
      this.failures = 0;
    } catch (err) {
      if (isGenesysError(err) && (err.status === 401 || err.status === 403)) {
        this.stopped = true;
        this.options.onRefused(err);
        return;
      }
      this.failures++;
      const wait = this.options.reconnectPolicy(this.failures) ?? this.options.reconnectPolicy(1) ?? 15_000;
      this.options.logger.warn({ err, waitMs: wait }, 'notifications channel set-up failed; trying again');
      this.scheduleRetry(wait);
    }
  }

  private async open(index: number): Promise<LiveChannel> {
    const created = await this.options.api.createChannel();
    const ws = new WebSocket(created.connectUri);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    const channel: LiveChannel = { id: created.id, ws, topics: [], renewTimer: undefined, watchdog: undefined };
    this.channels[index] = channel;
    ws.on('error', (err) => {
      this.options.logger.debug({ err }, 'notifications socket error');
    });
    ws.on('message', (data) => {
      this.watch(channel, index);
      this.onFrame(frameText(data), index, channel);
    });
    ws.on('close', () => {
      if (this.channels[index] !== channel || this.stopped) return;
      this.options.logger.info({ channelId: channel.id }, 'notifications socket closed; setting the channel up again');
      this.replace(index);
    });
    this.watch(channel, index);
    const lifetime = created.expiresAt === undefined ? undefined : created.expiresAt - this.options.clock.now();
    if (lifetime !== undefined) {
      const renewIn = Math.max(lifetime - this.options.renewBeforeMs, lifetime / 2, 0);
      channel.renewTimer = setTimeout(() => {
        this.options.logger.info({ channelId: channel.id }, 'renewing the notifications channel before it expires');
        this.replace(index);
      }, renewIn);
      channel.renewTimer.unref();
    }
    this.options.logger.info({ channelId: channel.id }, 'notifications channel open');
    return channel;
  }

  private onFrame(text: string, index: number, channel: LiveChannel): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text) as unknown;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const { topicName, eventBody } = frame as { topicName?: unknown; eventBody?: unknown };
    if (typeof topicName !== 'string' || topicName === 'channel.metadata') return;
    if (topicName === 'v2.system.socket_closing') {
      this.options.logger.info({ channelId: channel.id }, 'Genesys is closing the notifications socket; moving on');
      this.replace(index);
      return;
    }
    this.options.onEvent(topicName, eventBody);
  }

  private watch(channel: LiveChannel, index: number): void {
    if (channel.watchdog !== undefined) clearTimeout(channel.watchdog);
    channel.watchdog = setTimeout(() => {
      this.options.logger.info({ channelId: channel.id }, 'notifications socket silent; setting the channel up again');
      this.replace(index);
    }, this.options.silenceTimeoutMs);
    channel.watchdog.unref();
  }

  private replace(index: number): void {
    this.drop(index, 'replaced');
    if (!this.stopped) void this.sync();
  }

  private drop(index: number, reason: string): void {
    const channel = this.channels[index];
    if (channel === undefined) return;
    this.channels[index] = undefined;
    if (channel.renewTimer !== undefined) clearTimeout(channel.renewTimer);
    if (channel.watchdog !== undefined) clearTimeout(channel.watchdog);
    channel.ws.removeAllListeners('close');
    channel.ws.on('error', () => undefined);
    channel.ws.close(1000, reason);
  }

  private scheduleRetry(waitMs: number): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.sync();
    }, waitMs);
    this.retryTimer.unref();
  }
}
