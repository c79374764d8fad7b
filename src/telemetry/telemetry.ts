import {
  context,
  isSpanContextValid,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableGauge,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

import { METRICS } from './metrics';
import { ATTEMPTS_ATTRIBUTE, SPANS } from './spans';

export { METRICS } from './metrics';
export { ATTEMPTS_ATTRIBUTE, SPANS } from './spans';

/** Instrumentation scope of every span and metric of the product. */
export const INSTRUMENTATION_SCOPE = 'genesys-handoff-bot';

/** The direction of a relayed message. */
export type RelayDirection = 'user_to_agent' | 'agent_to_user';

/** Where a message was being delivered when it was retried or given up on. */
export type DeliveryTarget = 'genesys' | 'channel';

/** A live chat's state as the chats-live gauge reports it. */
export type LiveChatState = 'requested' | 'queued' | 'connected';

/** Counts of the chats this instance holds, by state; supplied by the handoff layer. */
export type LiveChatCounts = Readonly<Partial<Record<LiveChatState, number>>>;

/** Options of {@link Telemetry}. */
export interface TelemetryOptions {
  /** Default: the global meter provider (a no-op until telemetry is started). */
  meterProvider?: MeterProvider;
  /** Default: the global tracer provider (a no-op until telemetry is started). */
  tracerProvider?: TracerProvider;
  /** Adds message text to spans and Bot Framework events (`TelemetryLogPersonalData`). Default false. */
  logPersonalData?: boolean;
}

/**
 * The product's telemetry: typed counters, histograms and the live-chats gauge, plus span helpers.
 * Everything goes through the OpenTelemetry API, so it costs next to nothing when no exporter is
 * configured. Message text is only attached when `logPersonalData` is set.
 */
export class Telemetry {
  /** True when message text may be attached to spans and events. */
  readonly logPersonalData: boolean;
  private readonly tracer: Tracer;
  private readonly meter: Meter;
  private readonly counters: Record<
    | 'handoffRequests'
    | 'handoffStarts'
    | 'handoffRefusals'
    | 'handoffFailures'
    | 'abandoned'
    | 'ends'
    | 'takeovers'
    | 'deliveryRetries'
    | 'deliveryFailures'
    | 'genesysErrors'
    | 'reconnects'
    | 'storageConflicts'
    | 'storageThrottled'
    | 'storageRequestCharge',
    Counter
  >;
  private readonly histograms: Record<'timeToQueue' | 'timeToAgent' | 'relayLatency', Histogram>;
  private readonly chatsLive: ObservableGauge;
  private readonly liveChatSources = new Set<() => LiveChatCounts>();
  private readonly attempts = new WeakMap<Span, number>();

  constructor(options: TelemetryOptions = {}) {
    this.logPersonalData = options.logPersonalData ?? false;
    this.tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
    this.meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    const counter = (m: { name: string; unit: string; description: string }): Counter =>
      this.meter.createCounter(m.name, { unit: m.unit, description: m.description });
    const histogram = (m: { name: string; unit: string; description: string }): Histogram =>
      this.meter.createHistogram(m.name, { unit: m.unit, description: m.description });
    this.counters = {
      handoffRequests: counter(METRICS.handoffRequests),
      handoffStarts: counter(METRICS.handoffStarts),
      handoffRefusals: counter(METRICS.handoffRefusals),
      handoffFailures: counter(METRICS.handoffFailures),
      abandoned: counter(METRICS.abandoned),
      ends: counter(METRICS.ends),
      takeovers: counter(METRICS.takeovers),
      deliveryRetries: counter(METRICS.deliveryRetries),
      deliveryFailures: counter(METRICS.deliveryFailures),
      genesysErrors: counter(METRICS.genesysErrors),
      reconnects: counter(METRICS.reconnects),
      storageConflicts: counter(METRICS.storageConflicts),
      storageThrottled: counter(METRICS.storageThrottled),
      storageRequestCharge: counter(METRICS.storageRequestCharge),
    };
    this.histograms = {
      timeToQueue: histogram(METRICS.timeToQueue),
      timeToAgent: histogram(METRICS.timeToAgent),
      relayLatency: histogram(METRICS.relayLatency),
    };
    this.chatsLive = this.meter.createObservableGauge(METRICS.chatsLive.name, {
      unit: METRICS.chatsLive.unit,
      description: METRICS.chatsLive.description,
    });
    this.meter.addBatchObservableCallback(
      (result) => {
        this.observeLiveChats(result);
      },
      [this.chatsLive],
    );
  }

  /** A handoff was asked of Genesys. */
  handoffRequested(provider: string): void {
    this.counters.handoffRequests.add(1, { 'genesys.provider': provider });
  }

  /** Genesys accepted a handoff. */
  handoffStarted(provider: string): void {
    this.counters.handoffStarts.add(1, { 'genesys.provider': provider });
  }

  /** Genesys refused a handoff; `reason` is the Genesys error code. */
  handoffRefused(reason: string): void {
    this.counters.handoffRefusals.add(1, { 'handoff.reason': reason });
  }

  /** A handoff could not be opened (transient or unexpected failure). */
  handoffFailed(reason: string): void {
    this.counters.handoffFailures.add(1, { 'handoff.reason': reason });
  }

  /** Genesys queued the chat, `ms` after the request. */
  queued(ms: number): void {
    this.histograms.timeToQueue.record(nonNegative(ms));
  }

  /** The first agent joined, `ms` after the request. */
  agentJoined(ms: number): void {
    this.histograms.timeToAgent.record(nonNegative(ms));
  }

  /** The user left before any agent joined. */
  abandonedWhileQueued(): void {
    this.counters.abandoned.add(1);
  }

  /** A live chat ended for `reason` (the record's end reason). */
  chatEnded(reason: string): void {
    this.counters.ends.add(1, { 'handoff.end_reason': reason });
  }

  /** One message relayed in `direction`, taking `ms`. */
  relayLatency(direction: RelayDirection, ms: number): void {
    this.histograms.relayLatency.record(nonNegative(ms), { 'relay.direction': direction });
  }

  /**
   * A send to `target` is retried after an error of class `errorClass` (e.g. `throttled`,
   * `transient`). Also counts the attempt on the active span (see {@link ATTEMPTS_ATTRIBUTE}).
   */
  deliveryRetry(target: DeliveryTarget, errorClass: string): void {
    this.counters.deliveryRetries.add(1, { 'delivery.target': target, 'error.type': errorClass });
    const span = trace.getActiveSpan();
    if (span === undefined) return;
    const attempts = (this.attempts.get(span) ?? 1) + 1;
    this.attempts.set(span, attempts);
    span.setAttribute(ATTEMPTS_ATTRIBUTE, attempts);
    span.addEvent('retry', { 'error.type': errorClass, attempt: attempts });
  }

  /** A send to `target` was given up on. */
  deliveryFailed(target: DeliveryTarget, errorClass: string): void {
    this.counters.deliveryFailures.add(1, { 'delivery.target': target, 'error.type': errorClass });
  }

  /** Genesys reported an error, or a call to it failed, with `code` (a `GenesysError` code). */
  genesysError(code: string): void {
    this.counters.genesysErrors.add(1, { 'genesys.error.code': code });
  }

  /** A Genesys connection of `provider` was re-established after dropping. */
  reconnect(provider: string): void {
    this.counters.reconnects.add(1, { 'genesys.provider': provider });
  }

  /** A storage write met a concurrent change (ETag mismatch). */
  storageConflict(): void {
    this.counters.storageConflicts.add(1);
  }

  /** Storage answered `count` requests with 429 (throttled). */
  storageThrottled(count = 1): void {
    if (count > 0) this.counters.storageThrottled.add(count);
  }

  /** Cosmos DB charged `requestUnits` (RU) for one response. */
  storageRequestCharge(requestUnits: number): void {
    if (requestUnits > 0) this.counters.storageRequestCharge.add(requestUnits);
  }

  /** This instance took over a live chat from another one. */
  takeover(): void {
    this.counters.takeovers.add(1);
  }

  /**
   * Adds a source of live-chat counts to the `handoff.chats.live` gauge (one per handoff manager).
   * Returns the function that removes it.
   */
  observeLiveChatsFrom(source: () => LiveChatCounts): () => void {
    this.liveChatSources.add(source);
    return () => {
      this.liveChatSources.delete(source);
    };
  }

  /** `{ [key]: text }` when personal data may be recorded, otherwise `{}`. */
  personal(key: string, text: string): Attributes {
    return this.logPersonalData ? { [key]: text } : {};
  }

  /**
   * The W3C `traceparent` (`00-{trace id}-{span id}-{flags}`) of the active span, or `undefined`
   * without one. Stored with work that runs later (an outbox entry), so its span joins this trace.
   */
  traceParent(): string | undefined {
    const span = trace.getActiveSpan();
    if (span === undefined) return undefined;
    const { traceId, spanId, traceFlags } = span.spanContext();
    if (!isSpanContextValid(span.spanContext())) return undefined;
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  /**
   * {@link withSpan} with the span whose `traceparent` is given as the parent (from
   * {@link traceParent}, possibly on another instance); a missing or malformed value starts from the
   * active context instead.
   */
  withSpanUnder<T>(
    traceParent: string | undefined,
    name: string,
    attributes: Attributes,
    fn: (span: Span) => Promise<T>,
  ): Promise<T> {
    const match = traceParent === undefined ? null : TRACEPARENT.exec(traceParent);
    if (match === null) return this.withSpan(name, attributes, fn);
    const parent = trace.setSpanContext(context.active(), {
      traceId: match[1] ?? '',
      spanId: match[2] ?? '',
      traceFlags: parseInt(match[3] ?? '0', 16),
      isRemote: true,
    });
    return context.with(parent, () => this.withSpan(name, attributes, fn));
  }

  /**
   * Runs `fn` in a new active span named `name` (a child of the active span, if any). The span
   * records an exception and an error status when `fn` throws, and ends when `fn` settles. Spans
   * of {@link SPANS.genesysSend} start with {@link ATTEMPTS_ATTRIBUTE} = 1; spans of
   * {@link SPANS.genesysEvent} are always roots.
   */
  withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, kind?: SpanKind): Promise<T> {
    return this.tracer.startActiveSpan(
      name,
      // A Genesys event starts its own trace: the socket it arrives on was opened in an earlier turn.
      { attributes, kind: kind ?? defaultKind(name), root: name === SPANS.genesysEvent },
      async (span): Promise<T> => {
        if (name === SPANS.genesysSend) span.setAttribute(ATTEMPTS_ATTRIBUTE, 1);
        try {
          return await fn(span);
        } catch (err) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  private observeLiveChats(result: BatchObservableResult): void {
    const totals: Record<LiveChatState, number> = { requested: 0, queued: 0, connected: 0 };
    for (const source of this.liveChatSources) {
      const counts = source();
      for (const state of Object.keys(totals) as LiveChatState[]) totals[state] += counts[state] ?? 0;
    }
    for (const state of Object.keys(totals) as LiveChatState[]) {
      result.observe(this.chatsLive, totals[state], { 'handoff.state': state });
    }
  }
}

function nonNegative(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function defaultKind(name: string): SpanKind {
  switch (name) {
    case SPANS.turn:
      return SpanKind.SERVER;
    case SPANS.genesysEvent:
      return SpanKind.CONSUMER;
    case SPANS.genesysSend:
    case SPANS.channelSend:
      return SpanKind.CLIENT;
    default:
      return SpanKind.INTERNAL;
  }
}

let current: Telemetry | undefined;

/**
 * The process' telemetry. Built from the global providers on first use; {@link installTelemetry}
 * replaces it once exporters are set up (and in tests).
 */
export function telemetry(): Telemetry {
  current ??= new Telemetry();
  return current;
}

/** Makes `instance` the process' telemetry (see {@link telemetry}); returns it. */
export function installTelemetry(instance: Telemetry): Telemetry {
  current = instance;
  return instance;
}

/** A W3C `traceparent` header value: version 00, trace id, parent span id, flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A low-cardinality class of a send failure for metric attributes: `throttled` (429),
 * `server_error` (5xx), `client_error` (other 4xx), else the error's string `code`
 * (a `GenesysError` code, `ECONNREFUSED`...) or its name.
 */
export function errorClass(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { statusCode, status, code } = err as { statusCode?: unknown; status?: unknown; code?: unknown };
    const httpStatus = typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : undefined;
    if (httpStatus === 429) return 'throttled';
    if (httpStatus !== undefined && httpStatus >= 500) return 'server_error';
    if (httpStatus !== undefined && httpStatus >= 400) return 'client_error';
    if (typeof code === 'string' && code !== '') return code;
  }
  return err instanceof Error ? err.name : 'unknown';
}
