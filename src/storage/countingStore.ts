import type { Storage, StoreItems } from 'botbuilder';
import type { StoredDocument, Versioned, VersionedStore } from './versionedStore';

/**
 * Storage operations counted by {@link CountingVersionedStore} and {@link CountingStorage}: one
 * `read` per document read (point read), one `write` per document created, replaced or deleted, one
 * `query` per query. These are the operations Cosmos DB bills in request units.
 */
export interface StorageOperationCounts {
  reads: number;
  writes: number;
  queries: number;
}

/** A fresh, zeroed {@link StorageOperationCounts}. */
export function zeroCounts(): StorageOperationCounts {
  return { reads: 0, writes: 0, queries: 0 };
}

/** `a + b`, field by field. */
export function addCounts(a: StorageOperationCounts, b: StorageOperationCounts): StorageOperationCounts {
  return { reads: a.reads + b.reads, writes: a.writes + b.writes, queries: a.queries + b.queries };
}

/** `a - b`, field by field (operations between two snapshots). */
export function diffCounts(a: StorageOperationCounts, b: StorageOperationCounts): StorageOperationCounts {
  return { reads: a.reads - b.reads, writes: a.writes - b.writes, queries: a.queries - b.queries };
}

/**
 * A {@link VersionedStore} decorator that counts the operations it passes on (attempted ones,
 * including those that fail with a conflict: Cosmos DB bills them too). Behaviour is unchanged.
 */
export class CountingVersionedStore<T extends StoredDocument> implements VersionedStore<T> {
  /**
   * @param counts Where operations are added (shared between decorators to total several stores);
   *   read it and diff snapshots with {@link diffCounts}.
   */
  constructor(
    private readonly inner: VersionedStore<T>,
    readonly counts: StorageOperationCounts = zeroCounts(),
  ) {}

  read(id: string): Promise<Versioned<T> | undefined> {
    this.counts.reads++;
    return this.inner.read(id);
  }

  create(value: T): Promise<Versioned<T>> {
    this.counts.writes++;
    return this.inner.create(value);
  }

  replace(value: T, etag: string): Promise<Versioned<T>> {
    this.counts.writes++;
    return this.inner.replace(value, etag);
  }

  delete(id: string): Promise<void> {
    this.counts.writes++;
    return this.inner.delete(id);
  }

  queryByField(field: string, values: readonly string[]): Promise<Versioned<T>[]> {
    this.counts.queries++;
    return this.inner.queryByField(field, values);
  }
}

/**
 * A botbuilder {@link Storage} decorator (bot state) that counts one read per key read and one
 * write per key written or deleted, as Cosmos DB partitioned storage issues them. Behaviour is unchanged.
 */
export class CountingStorage implements Storage {
  /** @param counts Where operations are added (see {@link CountingVersionedStore}). */
  constructor(
    private readonly inner: Storage,
    readonly counts: StorageOperationCounts = zeroCounts(),
  ) {}

  read(keys: string[]): Promise<StoreItems> {
    this.counts.reads += keys.length;
    return this.inner.read(keys);
  }

  write(changes: StoreItems): Promise<void> {
    this.counts.writes += Object.keys(changes).length;
    return this.inner.write(changes);
  }

  delete(keys: string[]): Promise<void> {
    this.counts.writes += keys.length;
    return this.inner.delete(keys);
  }
}
