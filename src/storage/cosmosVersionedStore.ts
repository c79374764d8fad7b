import type { ItemDefinition, RequestOptions, SqlQuerySpec } from '@azure/cosmos';
import { telemetry } from '../telemetry/telemetry';
import { cosmosStatusOf, describeCosmosFailure } from './cosmosErrors';
import {
  StoreConflictError,
  StoreError,
  type StoredDocument,
  type Versioned,
  type VersionedStore,
} from './versionedStore';

/** The part of an `@azure/cosmos` item response the store reads. */
export interface CosmosItemResult {
  readonly resource?: unknown;
  readonly etag: string;
  /** Response headers; `x-ms-throttle-retry-count` says how many 429s the client retried. */
  readonly headers?: Readonly<Record<string, unknown>>;
}

/** The part of an `@azure/cosmos` `Item` the store uses. */
export interface CosmosItemApi {
  read(options?: RequestOptions): Promise<CosmosItemResult>;
  replace(body: ItemDefinition, options?: RequestOptions): Promise<CosmosItemResult>;
  delete(options?: RequestOptions): Promise<unknown>;
}

/**
 * The part of an `@azure/cosmos` `Container` the store uses. A real `Container` satisfies it; tests
 * pass small hand-written fakes to reach failures the local server cannot produce (429, 503).
 */
export interface CosmosContainerApi {
  item(id: string, partitionKeyValue: string): CosmosItemApi;
  readonly items: {
    create(body: ItemDefinition, options?: RequestOptions): Promise<CosmosItemResult>;
    query(query: SqlQuerySpec): { fetchAll(): Promise<{ readonly resources: readonly unknown[] }> };
  };
}

/** Options of {@link CosmosVersionedStore}. */
export interface CosmosVersionedStoreOptions<T extends StoredDocument> {
  /**
   * Validates a stored document (system properties already removed) and returns it typed. Throw to
   * reject it. Default: checks that `id` is a string and `ttl` a number when present.
   */
  parseDocument?: (raw: Record<string, unknown>) => T;
}

/** Properties Cosmos DB adds to every item; never part of a returned value. */
const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set(['_rid', '_self', '_etag', '_attachments', '_ts']);

/** Field names that may be placed in a query text; everything else is passed as a parameter. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * {@link VersionedStore} on a Cosmos DB container partitioned on `/id`: the Cosmos ETag is the
 * version, writes are guarded with `IfMatch`, and per-document `ttl` is written on the item (it takes
 * effect because the container has a `defaultTtl`). Throttling (429) is retried by the client's retry
 * policy before it reaches this class; what is left is reported as {@link StoreError}.
 */
export class CosmosVersionedStore<T extends StoredDocument> implements VersionedStore<T> {
  private readonly parseDocument: (raw: Record<string, unknown>) => T;

  constructor(
    private readonly container: CosmosContainerApi,
    options: CosmosVersionedStoreOptions<T> = {},
  ) {
    // Without a parser the store trusts the rest of the shape: the container is written only through it.
    this.parseDocument =
      options.parseDocument ??
      ((raw) => {
        assertStoredDocument(raw);
        return raw as T;
      });
  }

  async read(id: string): Promise<Versioned<T> | undefined> {
    let response: CosmosItemResult;
    try {
      response = await this.container.item(id, id).read();
    } catch (err: unknown) {
      // Older SDKs throw on a missing item, current ones answer 404 without a resource.
      if (cosmosStatusOf(err) === 404) return undefined;
      throw storeError('read', id, err);
    }
    countThrottling(response);
    if (response.resource === undefined || response.resource === null) return undefined;
    return this.toVersioned(response.resource, response.etag);
  }

  async create(value: T): Promise<Versioned<T>> {
    let response: CosmosItemResult;
    try {
      response = await this.container.items.create(value);
    } catch (err: unknown) {
      if (cosmosStatusOf(err) === 409) throw new StoreConflictError('exists', value.id, { cause: err });
      throw storeError('create', value.id, err);
    }
    countThrottling(response);
    return this.toVersioned(response.resource, response.etag);
  }

  async replace(value: T, etag: string): Promise<Versioned<T>> {
    let response: CosmosItemResult;
    try {
      response = await this.container
        .item(value.id, value.id)
        .replace(value, { accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (err: unknown) {
      const status = cosmosStatusOf(err);
      if (status === 412) {
        telemetry().storageConflict();
        throw new StoreConflictError('stale', value.id, { cause: err });
      }
      if (status === 404) throw new StoreConflictError('missing', value.id, { cause: err });
      throw storeError('replace', value.id, err);
    }
    countThrottling(response);
    return this.toVersioned(response.resource, response.etag);
  }

  async delete(id: string): Promise<void> {
    try {
      await this.container.item(id, id).delete();
    } catch (err: unknown) {
      // Already gone (deleted by another instance, or expired by TTL): the caller's goal is met.
      if (cosmosStatusOf(err) === 404) return;
      throw storeError('delete', id, err);
    }
  }

  async queryByField(field: string, values: readonly string[]): Promise<Versioned<T>[]> {
    if (!FIELD_NAME.test(field)) throw new RangeError(`queryByField: invalid field name "${field}"`);
    if (values.length === 0) return [];
    // The field name is validated above and quoted; the values travel as a parameter.
    const query: SqlQuerySpec = {
      query: `SELECT * FROM c WHERE ARRAY_CONTAINS(@values, c["${field}"])`,
      parameters: [{ name: '@values', value: [...values] }],
    };
    let resources: readonly unknown[];
    try {
      ({ resources } = await this.container.items.query(query).fetchAll());
    } catch (err: unknown) {
      throw storeError(`query on ${field}`, undefined, err);
    }
    return resources.map((resource) => this.toVersioned(resource, undefined));
  }

  private toVersioned(resource: unknown, headerEtag: string | undefined): Versioned<T> {
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
      throw new StoreError('Cosmos DB returned no document where one was expected');
    }
    const raw: Record<string, unknown> = {};
    let bodyEtag: unknown;
    for (const [key, value] of Object.entries(resource)) {
      if (key === '_etag') bodyEtag = value;
      if (!SYSTEM_PROPERTIES.has(key)) raw[key] = value;
    }
    const etag = headerEtag !== undefined && headerEtag !== '' ? headerEtag : bodyEtag;
    if (typeof etag !== 'string' || etag === '') {
      throw new StoreError(`Cosmos DB returned document ${String(raw.id)} without an ETag`);
    }
    return { value: this.parseDocument(raw), etag };
  }
}

/** Counts the 429 answers the Cosmos DB client retried before this response (`storage.throttled`). */
function countThrottling(response: CosmosItemResult): void {
  const retries = Number(response.headers?.['x-ms-throttle-retry-count'] ?? 0);
  if (Number.isInteger(retries)) telemetry().storageThrottled(retries);
}

function storeError(operation: string, id: string | undefined, cause: unknown): StoreError {
  if (cosmosStatusOf(cause) === 429) telemetry().storageThrottled();
  const subject = id === undefined ? '' : ` of document ${id}`;
  return new StoreError(`Cosmos DB ${operation}${subject} failed: ${describeCosmosFailure(cause)}`, { cause });
}

/** Checks the part of the shape every stored document has. */
function assertStoredDocument(raw: Record<string, unknown>): asserts raw is Record<string, unknown> & StoredDocument {
  if (typeof raw.id !== 'string') throw new StoreError('Cosmos DB returned a document without a string id');
  if (raw.ttl !== undefined && typeof raw.ttl !== 'number') {
    throw new StoreError(`Cosmos DB document ${raw.id} has a non-numeric ttl`);
  }
}
