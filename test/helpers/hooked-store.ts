import type { BlobStore } from '../../src/blobstore/blob-store.js';

/** A store that forwards every call to `inner`, except those `hooks` take over (to record, pause or kill). */
export function hookedStore(
  inner: BlobStore,
  hooks: Partial<Omit<BlobStore, 'kind' | 'limits' | 'readAhead'>>,
): BlobStore {
  return {
    kind: inner.kind,
    limits: inner.limits,
    get: (key, range) => inner.get(key, range),
    stat: (key) => inner.stat(key),
    ...(inner.readInto ? { readInto: inner.readInto.bind(inner) } : {}),
    list: (prefix) => inner.list(prefix),
    put: (key, source) => inner.put(key, source),
    delete: (keys) => inner.delete(keys),
    commit: (message) => inner.commit(message),
    close: () => inner.close(),
    ...hooks,
  };
}
