import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { createSilentLogger } from '../../src/logger';
import { SERVICE_NAME, startTelemetry } from '../../src/telemetry/startTelemetry';
import { CUSTOM_EVENT_NAME_ATTRIBUTE } from '../../src/telemetry/botTelemetryClient';
import { BotInstance, startConnector } from '../support/handoffRig';

/** One OTLP/HTTP request the receiver got. */
interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/** A minimal OTLP/HTTP (JSON) receiver: records every POST and answers 200 as a collector does. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    readBody(req)
      .then((text) => {
        if (req.method === 'POST')
          received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) });
        // Separate calls: restify (loaded in this process) replaces writeHead with one returning nothing.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      })
      .catch(() => {
        res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Every string found under `key` anywhere in `value`. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesOf(v, key));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]): unknown[] => [
    ...(k === key ? [v] : []),
    ...valuesOf(v, key),
  ]);
}

describe('export over OTLP/HTTP', () => {
  it('sends the bot’s traces, metrics and Bot Framework events to the configured endpoint', async () => {
    const receiver = await startReceiver();
    const connector = await startConnector();
    const config = loadConfig({
      DemoMode: 'false',
      LogLevel: 'silent',
      InstanceId: 'otlp-test',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    const runtime = startTelemetry(config.telemetry, config.instanceId, createSilentLogger());
    expect(runtime.exporters).toEqual(['otlp']);
    const bot = await BotInstance.start(config, connector);
    try {
      await bot.say('otlp-1', 'how long does delivery take?');
      await connector.waitForText('otlp-1', 'Standard delivery');
    } finally {
      await bot.app.stop();
      await runtime.shutdown();
      await connector.stop();
      await new Promise((resolve) => receiver.server.close(resolve));
    }

    const at = (path: string): Received[] => receiver.received.filter((r) => r.path === path);
    const traces = at('/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.contentType).toContain('application/json');
    expect(valuesOf(traces, 'name')).toContain('bot.turn');
    expect(valuesOf(traces, 'stringValue')).toEqual(expect.arrayContaining([SERVICE_NAME, 'otlp-test']));

    const metrics = at('/v1/metrics');
    expect(metrics.length).toBeGreaterThan(0);
    expect(valuesOf(metrics, 'name')).toContain('handoff.chats.live');

    const events = at('/v1/logs');
    expect(events.length).toBeGreaterThan(0);
    const attributes = valuesOf(events, 'attributes').flat() as { key: string; value: { stringValue?: string } }[];
    expect(attributes.filter((a) => a.key === CUSTOM_EVENT_NAME_ATTRIBUTE).map((a) => a.value.stringValue)).toContain(
      'BotMessageReceived',
    );
    expect(JSON.stringify(receiver.received)).not.toContain('how long does delivery take');
  });
});
