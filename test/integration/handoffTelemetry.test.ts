import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { MESSAGES } from '../../src/resources/messages';
import type { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import { CUSTOM_EVENT_NAME_ATTRIBUTE } from '../../src/telemetry/botTelemetryClient';
import { ATTEMPTS_ATTRIBUTE, installTelemetry, SPANS, Telemetry } from '../../src/telemetry/telemetry';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { BotInstance, simulatorConfig, startConnector, startWebMessagingSimulator } from '../support/handoffRig';

/**
 * Telemetry of a whole handoff over real sockets (bot over HTTP, Web Messaging simulator), captured
 * with in-memory exporters: the spans of each relayed message with their parent links, the metric
 * points, the Bot Framework events, and no message text unless personal data is enabled.
 */
const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracerProvider.register();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const logRecords = new InMemoryLogRecordExporter();
const loggerProvider = new LoggerProvider();
loggerProvider.addLogRecordProcessor(new SimpleLogRecordProcessor(logRecords));
logs.setGlobalLoggerProvider(loggerProvider);

/** The data points of metric `name` from a fresh collection. */
async function points(name: string): Promise<DataPoint<number | Histogram>[]> {
  metricExporter.reset();
  await reader.forceFlush();
  const all = metricExporter
    .getMetrics()
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((m) => m.descriptor.name === name);
  return all.flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]);
}

async function sum(name: string, attributes: Record<string, string> = {}): Promise<number> {
  const matching = (await points(name)).filter((p) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
  return matching.reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}

const spanId = (s: ReadableSpan): string => s.spanContext().spanId;
const parentOf = (s: ReadableSpan): ReadableSpan | undefined =>
  spans.getFinishedSpans().find((p) => spanId(p) === s.parentSpanContext?.spanId);
/** The span and its ancestors up to the root (which must have no parent: a broken link fails). */
function ancestry(s: ReadableSpan): ReadableSpan[] {
  const chain = [s];
  for (let p = parentOf(s); p !== undefined; p = parentOf(p)) chain.push(p);
  if (chain.at(-1)?.parentSpanContext !== undefined) throw new Error(`span ${chain.at(-1)?.name} has a missing parent`);
  return chain;
}

describe('handoff telemetry', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    simulator = await startWebMessagingSimulator();
    connector = await startConnector();
  });

  afterAll(async () => {
    await simulator.stop();
    await connector.stop();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    trace.disable();
    logs.disable();
  });

  beforeEach(() => {
    spans.reset();
    logRecords.reset();
  });

  /** Runs a handoff: request, queue, agent joins and writes, the user answers, the user ends. */
  async function handoff(bot: BotInstance, conversationId: string, userText: string, agentText: string) {
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
      5000,
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, agentText);
    await connector.waitForText(conversationId, agentText);
    await bot.say(conversationId, userText);
    await eventually(
      () => simulator.findConversation(chat.id)?.messages.some((m) => m.text.includes(userText)) === true,
      5000,
      'the user text at the agent',
    );
    // The send runs behind the chat's outbox: its span ends once Genesys acknowledged it.
    await eventually(
      () => spans.getFinishedSpans().some((s) => s.name === SPANS.genesysSend),
      5000,
      'the Genesys send span',
    );
    return chat;
  }

  it('traces each relayed message across its hops and counts the handoff, without message text', async () => {
    const telemetry = installTelemetry(new Telemetry({ tracerProvider, meterProvider }));
    const bot = await BotInstance.start(simulatorConfig(simulator), connector);
    const requestsBefore = await sum('handoff.requests');
    try {
      await handoff(bot, 'otel-1', 'my order number is 4711-secret', 'Hello from agent Anna-secret');

      // User → agent: the turn, then the Genesys send (provider, attempts) acknowledged, in one trace.
      const send = spans
        .getFinishedSpans()
        .filter((s) => s.name === SPANS.genesysSend)
        .at(-1);
      expect(send).toBeDefined();
      expect(send?.attributes['genesys.provider']).toBe('webmessaging');
      expect(send?.attributes[ATTEMPTS_ATTRIBUTE]).toBe(1);
      expect(send?.events.map((e) => e.name)).toContain('genesys.acknowledged');
      const turn = send === undefined ? undefined : parentOf(send);
      expect(turn?.name).toBe(SPANS.turn);
      expect(turn?.spanContext().traceId).toBe(send?.spanContext().traceId);
      expect(turn?.attributes['bot.conversation_id']).toBe('otel-1');

      // Agent → user: the Genesys event, the proactive send (a turn of its own), the channel accepting it.
      const chains = spans
        .getFinishedSpans()
        .filter((s) => s.name === SPANS.channelSend && s.events.some((e) => e.name === 'channel.accepted'))
        .map(ancestry);
      const agentMessage = chains.find((chain) => chain.at(-1)?.attributes['genesys.event.kind'] === 'agentMessage');
      expect(agentMessage?.map((s) => s.name)).toEqual([
        SPANS.channelSend,
        SPANS.turn,
        SPANS.proactiveSend,
        SPANS.genesysEvent,
      ]);
      expect(new Set(agentMessage?.map((s) => s.spanContext().traceId)).size).toBe(1);
      expect(chains.map((chain) => chain.at(-1)?.attributes['genesys.event.kind'])).toEqual(
        expect.arrayContaining(['queued', 'agentJoined', 'agentMessage']),
      );

      // Metrics: the handoff's points.
      expect((await sum('handoff.requests')) - requestsBefore).toBe(1);
      expect(await sum('handoff.starts')).toBeGreaterThanOrEqual(1);
      expect(await sum('handoff.time_to_queue')).toBeGreaterThanOrEqual(1);
      expect(await sum('handoff.time_to_agent')).toBeGreaterThanOrEqual(1);
      expect(await sum('relay.latency', { 'relay.direction': 'user_to_agent' })).toBeGreaterThanOrEqual(1);
      expect(await sum('relay.latency', { 'relay.direction': 'agent_to_user' })).toBeGreaterThanOrEqual(1);
      expect(await sum('handoff.chats.live', { 'handoff.state': 'connected' })).toBe(1);
      const units = new Map(
        metricExporter
          .getMetrics()
          .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
          .map((m) => [m.descriptor.name, m.descriptor.unit]),
      );
      expect(units.get('handoff.time_to_agent')).toBe('ms');
      expect(units.get('relay.latency')).toBe('ms');
      expect(units.get('handoff.requests')).toBe('{handoff}');

      // The user ends the chat: counted by reason, the gauge drops.
      await bot.say('otel-1', MESSAGES.endChatAction);
      await eventually(
        async () => (await sum('handoff.ends', { 'handoff.end_reason': 'userEnded' })) === 1,
        5000,
        'the end counted',
      );
      expect(await sum('handoff.chats.live', { 'handoff.state': 'connected' })).toBe(0);

      // Bot Framework's own events, correlated, without text.
      const events = logRecords.getFinishedLogRecords();
      const received = events.filter((r) => r.attributes[CUSTOM_EVENT_NAME_ATTRIBUTE] === 'BotMessageReceived');
      expect(received.length).toBeGreaterThanOrEqual(3);
      expect(received.every((r) => r.spanContext?.traceId !== undefined)).toBe(true);
      const eventNames = events.map((r) => r.attributes[CUSTOM_EVENT_NAME_ATTRIBUTE]);
      expect(eventNames.some((name) => typeof name === 'string' && name.startsWith('Waterfall'))).toBe(true);

      const everything = JSON.stringify([
        spans.getFinishedSpans().map((s) => [s.attributes, s.events]),
        events.map((r) => [r.attributes, r.body]),
      ]);
      expect(everything).not.toContain('4711-secret');
      expect(everything).not.toContain('Anna-secret');
    } finally {
      await bot.app.stop();
      expect(telemetry.logPersonalData).toBe(false);
    }
  });

  it('adds message text only when TelemetryLogPersonalData is on', async () => {
    installTelemetry(new Telemetry({ tracerProvider, meterProvider, logPersonalData: true }));
    const bot = await BotInstance.start(simulatorConfig(simulator, { TelemetryLogPersonalData: 'true' }), connector);
    try {
      await handoff(bot, 'otel-2', 'order 0815-visible', 'Agent text visible');
      const send = spans
        .getFinishedSpans()
        .filter((s) => s.name === SPANS.genesysSend)
        .at(-1);
      expect(send?.attributes['message.text']).toBe('order 0815-visible');
      const received = logRecords
        .getFinishedLogRecords()
        .filter((r) => r.attributes[CUSTOM_EVENT_NAME_ATTRIBUTE] === 'BotMessageReceived');
      expect(received.some((r) => r.attributes.text === 'order 0815-visible')).toBe(true);
    } finally {
      await bot.app.stop();
    }
  });
});
