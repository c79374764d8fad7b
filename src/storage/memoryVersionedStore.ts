import { randomUUID } from 'node:crypto';
import { StoreConflictError, type StoredDocument, type Versioned, type VersionedStore } from './versionedStore';

interface Entry {
  json: string;
  etag: string;
  /** Epoch ms after which the document is gone; undefined: never. */
  expiresAt: number | undefined;
  /** Top-level string fields, so queries need not parse every document. */
  fields: ReadonlyMap<string, string>;
}

/** Options of {@link MemoryVersionedStore}. */
export interface MemoryVersionedStoreOptions {
  /** Default TTL in seconds applied when a document has none; undefined: documents never expire. */
  defaultTtlSeconds?: number;
  /** Clock, injectable for TTL tests. */
  now?: () => number;
}

/**
 * In-memory {@link VersionedStore}: same semantics as the Cosmos DB store (ETags, conflicts, TTL),
 * for local runs and tests. Nothing survives a restart. Values are stored as JSON so callers can
 * never mutate what is stored.
 */
export class MemoryVersionedStore<T extends StoredDocument> implements VersionedStore<T> {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: MemoryVersionedStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  read(id: string): Promise<Versioned<T> | undefined> {
    const entry = this.live(id);
    return Promise.resolve(entry === undefined ? undefined : this.toVersioned(entry));
  }

  create(value: T): Promise<Versioned<T>> {
    if (this.live(value.id) !== undefined) return Promise.reject(new StoreConflictError('exists', value.id));
    return Promise.resolve(this.put(value));
  }

  replace(value: T, etag: string): Promise<Versioned<T>> {
    const entry = this.live(value.id);
    if (entry === undefined) return Promise.reject(new StoreConflictError('missing', value.id));
    if (entry.etag !== etag) return Promise.reject(new StoreConflictError('stale', value.id));
    return Promise.resolve(this.put(value));
  }

  delete(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  queryByField(field: string, values: readonly string[]): Promise<Versioned<T>[]> {
    const result: Versioned<T>[] = [];
    const wanted = new Set(values);
    for (const id of [...this.entries.keys()]) {
      const entry = this.live(id);
      const fieldValue = entry?.fields.get(field);
      if (entry === undefined || fieldValue === undefined || !wanted.has(fieldValue)) continue;
      result.push(this.toVersioned(entry));
    }
    return Promise.resolve(result);
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private put(value: T): Versioned<T> {
    const ttl =
      value.ttl !== undefined && value.ttl > 0
        ? value.ttl
        : value.ttl === -1
          ? undefined
          : this.options.defaultTtlSeconds;
    const fields = new Map<string, string>();
    for (const [key, fieldValue] of Object.entries(value))
      if (typeof fieldValue === 'string') fields.set(key, fieldValue);
    const entry: Entry = {
      fields,
      json: JSON.stringify(value),
      etag: `"${randomUUID()}"`,
      expiresAt: ttl === undefined ? undefined : this.now() + ttl * 1000,
    };
    this.entries.set(value.id, entry);
    return this.toVersioned(entry);
  }

  private toVersioned(entry: Entry): Versioned<T> {
    return { value: JSON.parse(entry.json) as T, etag: entry.etag };
  }
}
