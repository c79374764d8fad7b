import { SpanStatusCode } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { GenesysError } from '../../src/genesys/genesysError';
import { createLogger } from '../../src/logger';
import {
  CosmosVersionedStore,
  type CosmosContainerApi,
  type CosmosItemApi,
} from '../../src/storage/cosmosVersionedStore';
import { RequestChargeCounter, requestChargePlugin } from '../../src/storage/requestCharge';
import { StoreConflictError, StoreError } from '../../src/storage/versionedStore';
import { CUSTOM_EVENT_NAME_ATTRIBUTE, OpenTelemetryBotTelemetryClient } from '../../src/telemetry/botTelemetryClient';
import {
  ATTEMPTS_ATTRIBUTE,
  errorClass,
  installTelemetry,
  METRICS,
  SPANS,
  Telemetry,
} from '../../src/telemetry/telemetry';

const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracerProvider.register();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

async function collect(name: string): Promise<DataPoint<unknown>[]> {
  metricExporter.reset();
  await reader.forceFlush();
  return metricExporter
    .getMetrics()
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
}

afterAll(async () => {
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
});

beforeEach(() => {
  spans.reset();
});

describe('Telemetry', () => {
  const telemetry = new Telemetry({ tracerProvider, meterProvider });

  it('counts the attempts of a Genesys send on its span and the retries by target and class', async () => {
    await telemetry.withSpan(SPANS.genesysSend, { 'genesys.provider': 'webmessaging' }, () => {
      telemetry.deliveryRetry('genesys', 'throttled');
      telemetry.deliveryRetry('genesys', 'throttled');
      return Promise.resolve();
    });
    const [send] = spans.getFinishedSpans();
    expect(send?.attributes[ATTEMPTS_ATTRIBUTE]).toBe(3);
    expect(send?.events.filter((e) => e.name === 'retry')).toHaveLength(2);
    const retries = await collect(METRICS.deliveryRetries.name);
    expect(retries).toEqual([
      expect.objectContaining({ value: 2, attributes: { 'delivery.target': 'genesys', 'error.type': 'throttled' } }),
    ]);
  });

  it('marks a span failed with the exception when its work throws, and rethrows', async () => {
    const failure = new GenesysError('network', 'connection refused');
    await expect(telemetry.withSpan(SPANS.genesysSend, {}, () => Promise.reject(failure))).rejects.toBe(failure);
    const [send] = spans.getFinishedSpans();
    expect(send?.status.code).toBe(SpanStatusCode.ERROR);
    expect(send?.events.map((e) => e.name)).toContain('exception');
  });

  it('starts a new trace for each Genesys event, even inside another span', async () => {
    await telemetry.withSpan(SPANS.turn, {}, () =>
      telemetry.withSpan(SPANS.genesysEvent, { 'genesys.event.kind': 'agentMessage' }, () => Promise.resolve()),
    );
    const event = spans.getFinishedSpans().find((s) => s.name === SPANS.genesysEvent);
    const turn = spans.getFinishedSpans().find((s) => s.name === SPANS.turn);
    expect(event?.parentSpanContext).toBeUndefined();
    expect(event?.spanContext().traceId).not.toBe(turn?.spanContext().traceId);
  });

  it('sums the live-chat gauge over its sources by state, and forgets a removed source', async () => {
    const stopA = telemetry.observeLiveChatsFrom(() => ({ queued: 2, connected: 1 }));
    telemetry.observeLiveChatsFrom(() => ({ connected: 4 }));
    const byState = async (): Promise<Record<string, unknown>> =>
      Object.fromEntries(
        (await collect(METRICS.chatsLive.name)).map((p) => [String(p.attributes['handoff.state']), p.value]),
      );
    expect(await byState()).toEqual({ requested: 0, queued: 2, connected: 5 });
    stopA();
    expect(await byState()).toEqual({ requested: 0, queued: 0, connected: 4 });
  });

  it('records durations in ms, never negative', async () => {
    telemetry.relayLatency('user_to_agent', 42);
    telemetry.relayLatency('user_to_agent', -5);
    const [point] = await collect(METRICS.relayLatency.name);
    expect(point?.attributes).toEqual({ 'relay.direction': 'user_to_agent' });
    expect(point?.value).toMatchObject({ count: 2, sum: 42, min: 0, max: 42 });
  });

  it('gives message text only when personal data is enabled', () => {
    expect(telemetry.personal('message.text', 'hello')).toEqual({});
    const withText = new Telemetry({ tracerProvider, meterProvider, logPersonalData: true });
    expect(withText.personal('message.text', 'hello')).toEqual({ 'message.text': 'hello' });
  });
});

describe('errorClass', () => {
  it('keeps attribute values few: HTTP classes, then codes, then names', () => {
    expect(errorClass({ statusCode: 429 })).toBe('throttled');
    expect(errorClass({ status: 503 })).toBe('server_error');
    expect(errorClass({ statusCode: 403 })).toBe('client_error');
    expect(errorClass(new GenesysError('rateLimited', 'slow down'))).toBe('rateLimited');
    expect(errorClass(new TypeError('x'))).toBe('TypeError');
    expect(errorClass('nope')).toBe('unknown');
  });
});

describe('log correlation', () => {
  it('writes the active trace and span ids in every line logged inside a span, none outside', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      destination: {
        write: (chunk: string) => {
          lines.push(JSON.parse(chunk) as Record<string, unknown>);
        },
      },
    });
    const telemetry = new Telemetry({ tracerProvider, meterProvider });
    logger.info('before');
    await telemetry.withSpan(SPANS.turn, {}, async () => {
      logger.child({ module: 'x' }).info('inside');
      await Promise.resolve();
      logger.info('after an await');
    });
    const [turn] = spans.getFinishedSpans();
    expect(lines[0]).not.toHaveProperty('trace_id');
    for (const line of lines.slice(1)) {
      expect(line).toMatchObject({ trace_id: turn?.spanContext().traceId, span_id: turn?.spanContext().spanId });
    }
  });
});

describe('OpenTelemetryBotTelemetryClient', () => {
  const records = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider();
  loggerProvider.addLogRecordProcessor(new SimpleLogRecordProcessor(records));
  const client = new OpenTelemetryBotTelemetryClient(loggerProvider.getLogger('test'));

  afterAll(async () => {
    await loggerProvider.shutdown();
    logs.disable();
  });

  it('turns Bot Framework events into custom-event log records with their properties and metrics', () => {
    client.trackEvent({
      name: 'BotMessageReceived',
      properties: { channelId: 'webchat', list: ['a'] },
      metrics: { latency: 3 },
    });
    const [record] = records.getFinishedLogRecords();
    expect(record?.attributes).toEqual({
      [CUSTOM_EVENT_NAME_ATTRIBUTE]: 'BotMessageReceived',
      channelId: 'webchat',
      list: '["a"]',
      latency: 3,
    });
  });

  it('records exceptions on the active span', async () => {
    const telemetry = new Telemetry({ tracerProvider, meterProvider });
    await telemetry.withSpan(SPANS.turn, {}, () => {
      client.trackException({ exception: new Error('dialog failed') });
      return Promise.resolve();
    });
    const [turn] = spans.getFinishedSpans();
    expect(turn?.status.code).toBe(SpanStatusCode.ERROR);
    expect(turn?.events.map((e) => e.name)).toContain('exception');
  });
});

describe('storage telemetry', () => {
  const doc = { id: 'h1', ttl: -1 };
  const container = (
    item: Partial<CosmosItemApi>,
    create?: CosmosContainerApi['items']['create'],
  ): CosmosContainerApi => ({
    item: () => ({
      read: () => Promise.reject(new Error('unused')),
      replace: () => Promise.reject(new Error('unused')),
      delete: () => Promise.resolve(),
      ...item,
    }),
    items: {
      create: create ?? (() => Promise.reject(new Error('unused'))),
      query: () => ({ fetchAll: () => Promise.resolve({ resources: [] }) }),
    },
  });

  it('counts 429s the Cosmos DB client retried, 429s it gave up on, and ETag conflicts', async () => {
    installTelemetry(new Telemetry({ tracerProvider, meterProvider }));
    const throttledThenServed = new CosmosVersionedStore(
      container({
        read: () => Promise.resolve({ resource: doc, etag: '"1"', headers: { 'x-ms-throttle-retry-count': 2 } }),
      }),
    );
    await throttledThenServed.read('h1');
    const givenUp = new CosmosVersionedStore(
      container({}, () => Promise.reject(Object.assign(new Error('429'), { code: 429 }))),
    );
    await expect(givenUp.create(doc)).rejects.toThrow(StoreError);
    expect((await collect(METRICS.storageThrottled.name)).map((p) => p.value)).toEqual([3]);

    const stale = new CosmosVersionedStore(
      container({ replace: () => Promise.reject(Object.assign(new Error('precondition'), { code: 412 })) }),
    );
    await expect(stale.replace(doc, '"0"')).rejects.toThrow(StoreConflictError);
    expect((await collect(METRICS.storageConflicts.name)).map((p) => p.value)).toEqual([1]);
  });

  it('adds the request charge of answered and failed Cosmos DB responses, and nothing for a malformed one', async () => {
    installTelemetry(new Telemetry({ tracerProvider, meterProvider }));
    const counter = new RequestChargeCounter();
    const { plugin } = requestChargePlugin(counter);
    type Args = Parameters<typeof plugin>;
    const context = {} as Args[0];
    // The plugin reads neither the diagnostics node nor the request context.
    const node = undefined as never;
    const answered: Args[2] = () => Promise.resolve({ headers: { 'x-ms-request-charge': '5.5' }, result: {} });
    const failed: Args[2] = () =>
      Promise.reject(Object.assign(new Error('conflict'), { code: 412, headers: { 'x-ms-request-charge': '1.25' } }));
    const malformed: Args[2] = () => Promise.resolve({ headers: { 'x-ms-request-charge': 'n/a' }, result: {} });
    await plugin(context, node, answered);
    await expect(plugin(context, node, failed)).rejects.toThrow('conflict');
    await plugin(context, node, malformed);
    expect((await collect(METRICS.storageRequestCharge.name)).map((p) => p.value)).toEqual([6.75]);
    expect(counter.snapshot()).toEqual({ requestUnits: 6.75, chargedResponses: 2 });
  });
});
