import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger';
import { installTelemetry, Telemetry } from './telemetry';

/** Where telemetry goes; from the settings of the same names. */
export interface TelemetrySettings {
  /** `APPLICATIONINSIGHTS_CONNECTION_STRING`; empty: no Application Insights. */
  readonly connectionString: string;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL, `/v1/traces` etc. are appended); empty: no OTLP. */
  readonly otlpEndpoint: string;
  /** `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between metric exports. */
  readonly metricExportIntervalMs: number;
  /** `TelemetryLogPersonalData`: message text in spans and Bot Framework events. */
  readonly logPersonalData: boolean;
}

/** Service name reported as `service.name` (Application Insights' cloud role name). */
export const SERVICE_NAME = 'genesys-handoff-bot';

/** Longest wait for the exporters to flush when the process stops (ms). */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

/** Started telemetry exporters. */
export interface TelemetryRuntime {
  /** Where telemetry is exported: `azureMonitor`, `otlp`, both or none. */
  readonly exporters: readonly ('azureMonitor' | 'otlp')[];
  /**
   * Exports everything buffered and stops the exporters, waiting at most {@link SHUTDOWN_TIMEOUT_MS}.
   * Idempotent; never rejects.
   */
  shutdown(): Promise<void>;
}

/**
 * Sets up OpenTelemetry for the process and installs the product's {@link Telemetry}:
 *
 * - with a connection string, Azure Monitor's distribution exports traces, metrics and Bot
 *   Framework events (as custom events) to Application Insights, and also traces to OTLP when an
 *   endpoint is set;
 * - with only an OTLP endpoint, traces, metrics and Bot Framework events (as log records) go to it
 *   over OTLP/HTTP (JSON);
 * - with neither, the OpenTelemetry API stays a no-op.
 *
 * Call it once, before the HTTP server is created (Azure Monitor instruments `http`).
 */
export function startTelemetry(settings: TelemetrySettings, instanceId: string, logger: Logger): TelemetryRuntime {
  const log = logger.child({ module: 'telemetry' });
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: SERVICE_NAME,
    [ATTR_SERVICE_INSTANCE_ID]: instanceId,
  });
  const otlp = settings.otlpEndpoint === '' ? undefined : settings.otlpEndpoint.replace(/\/+$/, '');
  const stops: (() => Promise<void>)[] = [];
  const exporters: ('azureMonitor' | 'otlp')[] = [];

  if (settings.connectionString !== '') {
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: settings.connectionString },
      resource,
      ...(otlp === undefined ? {} : { spanProcessors: [new BatchSpanProcessor(traceExporter(otlp))] }),
    });
    stops.push(shutdownAzureMonitor);
    exporters.push('azureMonitor');
    if (otlp !== undefined) exporters.push('otlp');
  } else if (otlp !== undefined) {
    const tracerProvider = new NodeTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(traceExporter(otlp))],
    });
    tracerProvider.register();
    const meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${otlp}/v1/metrics` }),
          exportIntervalMillis: settings.metricExportIntervalMs,
        }),
      ],
    });
    metrics.setGlobalMeterProvider(meterProvider);
    const loggerProvider = new LoggerProvider({ resource });
    loggerProvider.addLogRecordProcessor(new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${otlp}/v1/logs` })));
    logs.setGlobalLoggerProvider(loggerProvider);
    stops.push(
      () => tracerProvider.shutdown(),
      () => meterProvider.shutdown(),
      () => loggerProvider.shutdown(),
    );
    exporters.push('otlp');
  }

  installTelemetry(new Telemetry({ logPersonalData: settings.logPersonalData }));
  log.info(
    { exporters, otlpEndpoint: otlp, logPersonalData: settings.logPersonalData },
    exporters.length === 0 ? 'telemetry not exported (no exporter configured)' : 'telemetry exported',
  );

  let stopping: Promise<void> | undefined;
  return {
    exporters,
    shutdown(): Promise<void> {
      stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const flushed = Promise.all(
          stops.map((stop) =>
            stop().catch((err: unknown) => {
              log.warn({ err }, 'could not flush telemetry');
            }),
          ),
        ).then(() => true);
        const late = new Promise<false>((resolve) => {
          timer = setTimeout(() => {
            resolve(false);
          }, SHUTDOWN_TIMEOUT_MS);
        });
        const done = await Promise.race([flushed, late]);
        clearTimeout(timer);
        if (!done) log.warn({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'telemetry not flushed in time; stopping anyway');
      })();
      return stopping;
    },
  };
}

function traceExporter(base: string): OTLPTraceExporter {
  return new OTLPTraceExporter({ url: `${base}/v1/traces` });
}
