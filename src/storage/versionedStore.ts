/**
 * A small document store with optimistic concurrency, used for records that must never be
 * overwritten blindly (live-chat records and their leases). Implemented in memory for local runs
 * and tests, and on Cosmos DB for deployments; both pass the same contract test suite.
 */

/** A stored document: an `id` unique in its store and an optional per-document TTL in seconds. */
export interface StoredDocument {
  id: string;
  /** Seconds after the last write before the document expires; absent: the store's default; -1: never. */
  ttl?: number;
}

/** A document with the version (ETag) it was read or written at. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Why a write lost. */
export type StoreConflictKind = 'exists' | 'stale' | 'missing';

/**
 * A write lost against a concurrent writer (`stale`, HTTP 412), a create hit an existing document
 * (`exists`, 409) or a replace found nothing (`missing`, 404). Callers re-read and re-apply.
 */
export class StoreConflictError extends Error {
  readonly code = 'storeConflict';
  constructor(
    readonly kind: StoreConflictKind,
    readonly documentId: string,
    options?: { cause?: unknown },
  ) {
    super(`store conflict (${kind}) on document ${documentId}`, options);
    this.name = 'StoreConflictError';
  }
}

/** A failure of the store itself (unreachable, refused credentials, throttled past retries). */
export class StoreError extends Error {
  readonly code = 'storeUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Narrows an unknown error to a {@link StoreConflictError}. */
export function isStoreConflict(err: unknown): err is StoreConflictError {
  return err instanceof StoreConflictError;
}

/** A store of documents of type `T` with ETag-guarded writes. */
export interface VersionedStore<T extends StoredDocument> {
  /** Reads one document, or `undefined` when it does not exist (or expired). */
  read(id: string): Promise<Versioned<T> | undefined>;
  /** Creates a document; throws `StoreConflictError('exists')` when the id is taken. */
  create(value: T): Promise<Versioned<T>>;
  /**
   * Replaces a document only if it is still at `etag`; throws `StoreConflictError('stale')` when
   * someone wrote it meanwhile and `StoreConflictError('missing')` when it is gone.
   */
  replace(value: T, etag: string): Promise<Versioned<T>>;
  /** Deletes a document. A document that does not exist is not an error. */
  delete(id: string): Promise<void>;
  /** Every document whose top-level string `field` has one of `values`. */
  queryByField(field: string, values: readonly string[]): Promise<Versioned<T>[]>;
}
