import type { StoredDocument, VersionedStore } from '../../src/storage/versionedStore';
import { StoreError } from '../../src/storage/versionedStore';

/**
 * `store` whose reads of the documents `fails` picks reject with a {@link StoreError} ("store
 * unreachable"), as Cosmos DB does when it cannot be reached; everything else goes through.
 */
export function withFailingReads<T extends StoredDocument>(
  store: VersionedStore<T>,
  fails: (id: string) => boolean,
): VersionedStore<T> {
  return {
    read: (id) => (fails(id) ? Promise.reject(new StoreError('store unreachable')) : store.read(id)),
    create: (value) => store.create(value),
    replace: (value, etag) => store.replace(value, etag),
    delete: (id) => store.delete(id),
    queryByField: (field, values) => store.queryByField(field, values),
  };
}
