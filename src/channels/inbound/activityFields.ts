/**
 * The objects of an activity list field (`attachments`, `entities`). Channels send JSON the schema
 * does not guarantee, so anything but an array gives an empty list and non-objects are skipped.
 */
export function listOf<T extends object>(value: unknown): T[] {
  return Array.isArray(value) ? value.filter((v): v is T => typeof v === 'object' && v !== null) : [];
}

/** `value` when it is a non-empty string, else undefined. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
