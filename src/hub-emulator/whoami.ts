import { createHash } from 'node:crypto';
import type { Identity } from './auth.js';
import type { Handler } from './context.js';
import { HubError } from './hub-error.js';
import { jsonReply } from './reply.js';

/** A stable 24-hex id for a user name, like the Hub's ids. */
export function userId(user: string): string {
  return createHash('sha1').update(`user:${user}`).digest('hex').slice(0, 24);
}

/** `GET /api/whoami-v2`: the user behind the token, and the token's role under `auth.accessToken`. */
export const whoami: Handler = async ({ identity, hub }) => {
  if (!identity) throw new HubError(401, 'You must be authenticated: send Authorization: Bearer hf_…');
  return jsonReply({
    type: 'user',
    id: userId(identity.user),
    name: identity.user,
    fullname: identity.user,
    email: `${identity.user}@users.emulator.invalid`,
    emailVerified: true,
    isPro: false,
    canPay: false,
    periodEnd: null,
    billingMode: 'prepaid',
    avatarUrl: '',
    orgs: [],
    auth: {
      type: 'access_token',
      accessToken: {
        displayName: `${identity.user}-${identity.role}`,
        role: identity.role,
        createdAt: new Date(hub.now()).toISOString(),
        ...(identity.role === 'fineGrained' ? { fineGrained: fineGrained(identity) } : {}),
      },
    },
  });
};

/** The permissions of a fineGrained token, in the Hub's shape. */
function fineGrained(identity: Identity) {
  return {
    canReadGatedRepos: false,
    global: [],
    scoped: Object.entries(identity.repos).map(([name, access]) => ({
      entity: { type: 'dataset', name },
      permissions: access === 'write' ? ['repo.content.read', 'repo.write'] : ['repo.content.read'],
    })),
  };
}
