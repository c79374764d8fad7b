/**
 * Reading `@azure/cosmos` failures. The SDK throws `ErrorResponse` objects whose `code` is the HTTP
 * status (409, 412, 429...) for service answers, and `RestError`/`TimeoutError`/`AbortError` objects
 * whose `code` or `name` is a Node network code when the account cannot be reached.
 */

/** Network failures that mean "the account could not be reached", as the SDK reports them. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'AbortError',
]);

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** The HTTP status of a Cosmos DB service answer, or `undefined` for network and client failures. */
export function cosmosStatusOf(err: unknown): number | undefined {
  for (const name of ['code', 'statusCode']) {
    const value = field(err, name);
    if (typeof value === 'number' && Number.isInteger(value)) return value;
  }
  return undefined;
}

/** The network failure code (`ECONNREFUSED`, `ENOTFOUND`, `TimeoutError`...) when the account was not reached. */
export function cosmosUnreachableCodeOf(err: unknown): string | undefined {
  for (const candidate of [field(err, 'code'), field(err, 'name'), field(field(err, 'cause'), 'code')]) {
    if (typeof candidate === 'string' && UNREACHABLE_CODES.has(candidate)) return candidate;
  }
  return undefined;
}

/** A short description of a Cosmos DB failure for error messages: status or network code, never headers or bodies. */
export function describeCosmosFailure(err: unknown): string {
  const status = cosmosStatusOf(err);
  if (status === 429) return 'status 429 (throttled beyond the retry budget)';
  if (status !== undefined) return `status ${status}`;
  const unreachable = cosmosUnreachableCodeOf(err);
  if (unreachable !== undefined) return unreachable;
  const code = field(err, 'code');
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'unknown failure';
}
