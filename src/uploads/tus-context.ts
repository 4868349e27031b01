import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { User } from '../drive/users.js';

/** The request a tus call serves: who asks, and the raw request (whether its body arrived whole). */
export interface TusRequest {
  user: User;
  raw: IncomingMessage;
}

/**
 * @tus/server calls the data store with an upload id and a body stream only. The request each call
 * serves rides along in async context: set around the server's handling of one request, read in
 * the store.
 */
export class TusRequestContext {
  private readonly storage = new AsyncLocalStorage<TusRequest>();

  run<T>(request: TusRequest, work: () => T): T {
    return this.storage.run(request, work);
  }

  current(): TusRequest {
    const request = this.storage.getStore();
    if (!request) throw new Error('a tus data store call outside a request');
    return request;
  }
}
