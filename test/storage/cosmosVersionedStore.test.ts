import type { ItemDefinition, RequestOptions, SqlQuerySpec } from '@azure/cosmos';
import {
  CosmosVersionedStore,
  type CosmosContainerApi,
  type CosmosItemApi,
  type CosmosItemResult,
} from '../../src/storage/cosmosVersionedStore';
import { cosmosConnectionPolicy, COSMOS_RETRY_OPTIONS } from '../../src/storage/createStorage';
import { StoreConflictError, StoreError } from '../../src/storage/versionedStore';
import { testDoc, type TestDoc } from './versionedStoreContract';

/** An error shaped like the SDK's ErrorResponse for a service answer. */
function serviceError(code: number): Error {
  return Object.assign(new Error(`service answered ${code}`), { code, headers: { 'x-ms-activity-id': 'a' } });
}

/** An error shaped like the SDK's RestError for a refused connection. */
function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { name: 'RestError', code });
}

/** A container whose every call fails with `failure`, or answers with `answer`; records the calls. */
class FakeContainer implements CosmosContainerApi {
  readonly calls: { op: string; body?: ItemDefinition; options?: RequestOptions; query?: SqlQuerySpec }[] = [];
  constructor(
    private readonly failure: Error | undefined,
    private readonly answer: CosmosItemResult = { resource: undefined, etag: '' },
  ) {}

  private respond<R>(op: string, result: R, extra: Omit<FakeContainer['calls'][number], 'op'> = {}): Promise<R> {
    this.calls.push({ op, ...extra });
    return this.failure === undefined ? Promise.resolve(result) : Promise.reject(this.failure);
  }

  item(): CosmosItemApi {
    return {
      read: () => this.respond('read', this.answer),
      replace: (body, options) => this.respond('replace', this.answer, { body, options }),
      delete: () => this.respond('delete', undefined),
    };
  }

  readonly items = {
    create: (body: ItemDefinition): Promise<CosmosItemResult> => this.respond('create', this.answer, { body }),
    query: (query: SqlQuerySpec) => ({
      fetchAll: () =>
        this.respond(
          'query',
          { resources: this.answer.resource === undefined ? [] : [this.answer.resource] },
          { query },
        ),
    }),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('CosmosVersionedStore error mapping (fake container)', () => {
  const doc = testDoc();

  it.each([
    ['create', 409, 'exists'],
    ['replace', 412, 'stale'],
    ['replace', 404, 'missing'],
  ] as const)('maps %s %i to StoreConflictError(%s) keeping the cause', async (op, status, kind) => {
    const cause = serviceError(status);
    const store = new CosmosVersionedStore<TestDoc>(new FakeContainer(cause));
    const err = await failureOf(op === 'create' ? store.create(doc) : store.replace(doc, '"e1"'));
    expect(err).toBeInstanceOf(StoreConflictError);
    expect(err).toMatchObject({ kind, documentId: doc.id, cause });
  });

  it.each([
    ['read', (s: CosmosVersionedStore<TestDoc>) => s.read(doc.id)],
    ['create', (s: CosmosVersionedStore<TestDoc>) => s.create(doc)],
    ['replace', (s: CosmosVersionedStore<TestDoc>) => s.replace(doc, '"e1"')],
    ['delete', (s: CosmosVersionedStore<TestDoc>) => s.delete(doc.id)],
    ['query', (s: CosmosVersionedStore<TestDoc>) => s.queryByField('kind', ['x'])],
  ] as const)('reports a 429 left after the SDK retries as StoreError on %s', async (op, call) => {
    const cause = serviceError(429);
    const err = await failureOf(call(new CosmosVersionedStore<TestDoc>(new FakeContainer(cause))));
    expect(err).toBeInstanceOf(StoreError);
    expect(err).not.toBeInstanceOf(StoreConflictError);
    expect(err).toMatchObject({ code: 'storeUnavailable', cause });
    expect((err as Error).message).toContain(op === 'query' ? 'query on kind' : op);
    expect((err as Error).message).toContain('429 (throttled beyond the retry budget)');
  });

  it.each([
    ['503', serviceError(503), 'status 503'],
    ['a refused connection', networkError('ECONNREFUSED'), 'ECONNREFUSED'],
    ['a 412 on create', serviceError(412), 'status 412'],
  ])('reports %s as StoreError naming it', async (_label, cause, text) => {
    const err = await failureOf(new CosmosVersionedStore<TestDoc>(new FakeContainer(cause)).create(doc));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(text);
    expect((err as Error).message).not.toContain('x-ms-activity-id');
  });

  it('treats a 404 on delete as success and a 500 on delete as StoreError', async () => {
    await expect(
      new CosmosVersionedStore<TestDoc>(new FakeContainer(serviceError(404))).delete(doc.id),
    ).resolves.toBeUndefined();
    await expect(
      new CosmosVersionedStore<TestDoc>(new FakeContainer(serviceError(500))).delete(doc.id),
    ).rejects.toBeInstanceOf(StoreError);
  });

  it('reads undefined when the SDK throws 404 or answers without a resource', async () => {
    await expect(
      new CosmosVersionedStore<TestDoc>(new FakeContainer(serviceError(404))).read(doc.id),
    ).resolves.toBeUndefined();
    await expect(new CosmosVersionedStore<TestDoc>(new FakeContainer(undefined)).read(doc.id)).resolves.toBeUndefined();
  });

  it('guards replace with IfMatch on the given etag and strips system properties', async () => {
    const stored = { ...doc, _rid: 'r', _self: 's', _etag: '"e2"', _attachments: 'a', _ts: 1 };
    const container = new FakeContainer(undefined, { resource: stored, etag: '"e2"' });
    const result = await new CosmosVersionedStore<TestDoc>(container).replace(doc, '"e1"');
    expect(result).toStrictEqual({ value: doc, etag: '"e2"' });
    expect(container.calls[0]?.options).toEqual({ accessCondition: { type: 'IfMatch', condition: '"e1"' } });
  });

  it('takes query etags from the documents and passes the values as a parameter', async () => {
    const container = new FakeContainer(undefined, { resource: { ...doc, _etag: '"q1"' }, etag: '' });
    const result = await new CosmosVersionedStore<TestDoc>(container).queryByField('kind', ["x' OR 1=1"]);
    expect(result).toStrictEqual([{ value: doc, etag: '"q1"' }]);
    expect(container.calls[0]?.query).toEqual({
      query: 'SELECT * FROM c WHERE ARRAY_CONTAINS(@values, c["kind"])',
      parameters: [{ name: '@values', value: ["x' OR 1=1"] }],
    });
  });

  it('refuses field names that are not plain identifiers without querying', async () => {
    const container = new FakeContainer(undefined);
    const store = new CosmosVersionedStore<TestDoc>(container);
    for (const field of ['kind"] OR true --', 'a.b', '1kind', '']) {
      await expect(store.queryByField(field, ['x'])).rejects.toBeInstanceOf(RangeError);
    }
    expect(container.calls).toEqual([]);
  });

  it('rejects a stored document that fails the parser', async () => {
    const container = new FakeContainer(undefined, { resource: { id: 7, _etag: '"e"' }, etag: '"e"' });
    await expect(new CosmosVersionedStore<TestDoc>(container).read('7')).rejects.toBeInstanceOf(StoreError);
  });
});

describe('cosmosConnectionPolicy', () => {
  it('turns endpoint discovery off for http endpoints only and carries the 429 retry budget', () => {
    expect(cosmosConnectionPolicy('http://127.0.0.1:8081')).toEqual({
      enableEndpointDiscovery: false,
      retryOptions: COSMOS_RETRY_OPTIONS,
    });
    expect(cosmosConnectionPolicy('https://acct.documents.azure.com:443')).toMatchObject({
      enableEndpointDiscovery: true,
    });
  });
});
