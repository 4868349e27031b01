import { HubError } from './hub-error.js';

export type TokenRole = 'read' | 'write' | 'fineGrained';

export interface TokenSpec {
  token: string;
  role: TokenRole;
  /** Default: the token without its `hf_` prefix (`hf_emulator` → `emulator`). */
  user?: string;
  /**
   * A fineGrained token's access to its user's repos, by repo id. Its user's private repos not
   * listed are hidden from it; it may create repos in its user's namespace.
   */
  repos?: Record<string, 'read' | 'write'>;
}

export interface Identity {
  token: string;
  role: TokenRole;
  user: string;
  /** fineGrained only; see TokenSpec. */
  repos: Readonly<Record<string, 'read' | 'write'>>;
}

/** The tokens the emulator accepts. */
export class Tokens {
  private readonly byToken = new Map<string, Identity>();

  constructor(specs: readonly TokenSpec[]) {
    for (const spec of specs) {
      if (!spec.token.startsWith('hf_')) {
        throw new Error(`a Hub token starts with "hf_": ${spec.token.slice(0, 3)}…`);
      }
      const user = spec.user ?? spec.token.slice(3);
      this.byToken.set(spec.token, { token: spec.token, role: spec.role, user, repos: spec.repos ?? {} });
    }
  }

  /** Who sent the request: null when anonymous; an unknown token is refused (401), as the Hub does. */
  identify(authorization: string | undefined): Identity | null {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const identity = match ? this.byToken.get(match[1]!) : undefined;
    if (!identity) throw new HubError(401, 'Invalid credentials in Authorization header');
    return identity;
  }
}
