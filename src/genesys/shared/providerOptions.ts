import type { Logger } from '../../logger';
import { defaultReconnectPolicy, defaultRequestRetryPolicy, type RetryPolicy } from '../retryPolicy';

/**
 * Defaults every provider uses for the options they share, so one setting means the same thing
 * whichever provider is configured.
 */
export const SHARED_PROVIDER_DEFAULTS: {
  reconnectPolicy: RetryPolicy;
  requestRetryPolicy: RetryPolicy;
  connectTimeoutMs: number;
  typingIntervalMs: number;
} = {
  /** 0.5 s doubling to 15 s for about five minutes. */
  reconnectPolicy: defaultReconnectPolicy,
  /** 0.5 s doubling to 8 s, 4 retries. */
  requestRetryPolicy: defaultRequestRetryPolicy,
  /** Websocket handshake timeout. */
  connectTimeoutMs: 10_000,
  /** Minimum time between two guest typing indicators (docs/genesys-protocol.md §5.3). */
  typingIntervalMs: 5_000,
};

/**
 * Checks a provider's options in its constructor, so a wrong configuration fails at start-up with
 * an error naming the option (`<Owner>: option "<name>" ...`) rather than on the first chat.
 * Written for callers outside strict TypeScript too: every check looks at the runtime value.
 */
export class OptionsValidator {
  constructor(private readonly owner: string) {}

  /** The error every check throws. */
  fail(name: string, problem: string): Error {
    return new Error(`${this.owner}: option "${name}" ${problem}`);
  }

  /** A non-blank string. @throws Error `option "<name>" is required`. */
  requireString(name: string, value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') throw this.fail(name, 'is required');
    return value;
  }

  /** A non-blank URL whose scheme is one of `schemes` (e.g. `['ws', 'wss']`). */
  requireUrl(name: string, value: unknown, schemes: readonly string[]): string {
    const url = this.requireString(name, value);
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
    if (scheme === undefined || !schemes.includes(scheme))
      throw this.fail(name, `must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL`);
    return url;
  }

  /** A pino logger (an object). */
  requireLogger(value: unknown): Logger {
    if (typeof value !== 'object' || value === null) throw this.fail('logger', 'is required');
    return value as Logger;
  }

  /** One of `allowed`. */
  requireOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw this.fail(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    return match;
  }

  /** A finite number that must be given. `positive` rejects 0. */
  requireNumber(name: string, value: unknown, positive = false): number {
    if (value === undefined || value === null) throw this.fail(name, 'is required');
    return this.number(name, value, Number.NaN, positive);
  }

  /**
   * A finite number, `fallback` when absent. `positive` rejects 0 (for options where 0 would mean
   * nothing works); otherwise 0 is allowed (it disables or means "at once").
   */
  number(name: string, value: unknown, fallback: number, positive = false): number {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0))
      throw this.fail(name, `must be a ${positive ? 'positive' : 'non-negative'} number, got ${String(value)}`);
    return v;
  }
}
