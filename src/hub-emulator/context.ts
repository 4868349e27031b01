import type { IncomingMessage } from 'node:http';
import type { Identity } from './auth.js';
import type { Hub } from './hub.js';
import type { Reply } from './reply.js';

export interface RequestContext {
  hub: Hub;
  req: IncomingMessage;
  url: URL;
  /** `http://host:port` as the client addressed the emulator: absolute URLs handed out start with it. */
  origin: string;
  /** The route's captures, percent-decoded. */
  params: string[];
  /** Null when anonymous, and on routes whose URL carries its own signature. */
  identity: Identity | null;
}

export type Handler = (ctx: RequestContext) => Promise<Reply>;
