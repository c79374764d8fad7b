/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object (the first check of every type guard on untrusted JSON). */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
