import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values are secrets. Declared once; every child logger inherits the redaction.
 * Message text is customer data and is only logged at debug level by the modules themselves.
 */
export const REDACTED_PATHS: readonly string[] = [
  'MicrosoftAppPassword',
  'CosmosDbKey',
  'GenesysMemberAuthToken',
  '*.MicrosoftAppPassword',
  '*.CosmosDbKey',
  '*.GenesysMemberAuthToken',
  'token',
  '*.token',
  '*.*.token',
  'jwt',
  '*.jwt',
  '*.*.jwt',
  'eventStreamUri',
  '*.eventStreamUri',
  '*.*.eventStreamUri',
  'password',
  '*.password',
  'key',
  '*.key',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'memberAuthToken',
  '*.memberAuthToken',
  'resumeData.token',
  'resumeData.jwt',
  'resumeData.eventStreamUri',
];

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  level?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream;
}

/** Creates the process' root logger with secret redaction. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'genesys-handoff-bot' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    mixin: traceContext,
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

/**
 * The active span's ids (`trace_id`, `span_id`, `trace_flags`, as OpenTelemetry's log correlation
 * names them), so every line written during a turn or a relayed event carries the trace id the
 * telemetry shows. Empty outside a span.
 */
export function traceContext(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
  };
}

/** A logger that discards everything (tests and benchmarks). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Removes credentials embedded in a URL (query strings and `/token/<jwt>` paths) before it is logged.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/\/token\/[^/?#]+/i, '/token/[redacted]')
    .replace(/([?&](?:token|jwt|access_token|code)=)[^&#]*/gi, '$1[redacted]');
}
