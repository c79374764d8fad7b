import { SpanStatusCode, trace } from '@opentelemetry/api';
import { logs, SeverityNumber, type AnyValueMap, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import {
  Severity,
  type BotTelemetryClient,
  type TelemetryDependency,
  type TelemetryEvent,
  type TelemetryException,
  type TelemetryTrace,
} from 'botbuilder';
import { INSTRUMENTATION_SCOPE } from './telemetry';

/**
 * The log-record attribute Azure Monitor's exporter turns into an Application Insights custom
 * event (the `customEvents` table the Bot Framework analytics views read).
 */
export const CUSTOM_EVENT_NAME_ATTRIBUTE = 'microsoft.custom_event.name';

const SEVERITIES: Record<Severity, SeverityNumber> = {
  [Severity.Verbose]: SeverityNumber.DEBUG,
  [Severity.Information]: SeverityNumber.INFO,
  [Severity.Warning]: SeverityNumber.WARN,
  [Severity.Error]: SeverityNumber.ERROR,
  [Severity.Critical]: SeverityNumber.FATAL,
};

/**
 * Bot Framework's telemetry client on OpenTelemetry: what `TelemetryLoggerMiddleware` and the
 * dialogs track becomes OpenTelemetry log records (events: a record carrying
 * {@link CUSTOM_EVENT_NAME_ATTRIBUTE}, so Application Insights shows them as `customEvents` with
 * the same names and properties as the classic SDK), correlated with the active span. Exceptions
 * are also recorded on the active span.
 */
export class OpenTelemetryBotTelemetryClient implements BotTelemetryClient {
  private readonly logger: OtelLogger;

  constructor(logger?: OtelLogger) {
    this.logger = logger ?? logs.getLogger(INSTRUMENTATION_SCOPE);
  }

  /** Records a Bot Framework event (`BotMessageReceived`, `WaterfallStart`...) with its properties and metrics. */
  trackEvent(telemetry: TelemetryEvent): void {
    this.logger.emit({
      severityNumber: SeverityNumber.INFO,
      attributes: {
        [CUSTOM_EVENT_NAME_ATTRIBUTE]: telemetry.name,
        ...stringValues(telemetry.properties),
        ...telemetry.metrics,
      },
    });
  }

  /** Records a trace message. */
  trackTrace(telemetry: TelemetryTrace): void {
    this.logger.emit({
      severityNumber: SEVERITIES[telemetry.severityLevel ?? Severity.Information],
      body: telemetry.message,
      attributes: stringValues(telemetry.properties),
    });
  }

  /** Records an exception on the active span and as an error log record. */
  trackException(telemetry: TelemetryException): void {
    const span = trace.getActiveSpan();
    span?.recordException(telemetry.exception);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: telemetry.exception.name });
    this.logger.emit({
      severityNumber: SEVERITIES[telemetry.severityLevel ?? Severity.Error],
      body: telemetry.exception.message,
      attributes: {
        'exception.type': telemetry.exception.name,
        'exception.message': telemetry.exception.message,
        ...(telemetry.exception.stack === undefined ? {} : { 'exception.stacktrace': telemetry.exception.stack }),
        ...(telemetry.handledAt === undefined ? {} : { handledAt: telemetry.handledAt }),
        ...stringValues(telemetry.properties),
        ...telemetry.measurements,
      },
    });
  }

  /** Records a dependency call as an event on the active span. */
  trackDependency(telemetry: TelemetryDependency): void {
    trace.getActiveSpan()?.addEvent('dependency', {
      'dependency.type': telemetry.dependencyTypeName,
      'dependency.target': telemetry.target,
      'dependency.name': telemetry.name,
      'dependency.duration_ms': telemetry.duration,
      'dependency.success': telemetry.success,
      'dependency.result_code': telemetry.resultCode,
    });
  }

  /** Export happens in the background and on shutdown (see `startTelemetry`). */
  flush(): void {
    // Nothing buffered here: the log record processors batch and flush.
  }
}

/** Bot Framework properties are strings, or JSON-serialisable values that are sent as JSON. */
function stringValues(properties: Record<string, unknown> | undefined): AnyValueMap {
  const out: AnyValueMap = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
