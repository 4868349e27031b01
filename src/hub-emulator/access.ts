import type { Identity } from './auth.js';
import { HubError, repoNotFound } from './hub-error.js';
import type { RepoRegistry } from './repo-registry.js';
import type { Repository } from './repository.js';

/** The owner of `ns/name` is the user `ns`; the emulator has no organisations. */
function owns(identity: Identity | null, repo: Repository): boolean {
  return identity !== null && repo.name.split('/')[0] === identity.user;
}

/** What a token may do to a repo of its user: a fineGrained token only what it was given. */
function scope(identity: Identity, repo: Repository): 'read' | 'write' | null {
  if (identity.role !== 'fineGrained') return identity.role;
  return Object.hasOwn(identity.repos, repo.name) ? identity.repos[repo.name]! : null;
}

/**
 * A repo the caller may read. A private repo is hidden from others as if it did not exist: 401 for
 * an anonymous caller, 404 otherwise, with `X-Error-Code: RepoNotFound` either way.
 */
export function readableRepo(repos: RepoRegistry, name: string, identity: Identity | null): Repository {
  const repo = repos.get(name);
  if (!repo) throw repoNotFound(identity ? 404 : 401);
  const visible = !repo.meta.private || (owns(identity, repo) && scope(identity!, repo) !== null);
  if (!visible) throw repoNotFound(identity ? 404 : 401);
  return repo;
}

/** The caller must be signed in (401) with a write (or fineGrained) token (403). */
export function requireWriter(identity: Identity | null): Identity {
  if (!identity) throw new HubError(401, 'You must be authenticated to do this (Authorization: Bearer hf_…)');
  if (identity.role === 'read') {
    throw new HubError(403, 'This token has the "read" role: a token with the "write" role is needed');
  }
  return identity;
}

/** A repo the caller may write to: a write token of its owner. */
export function writableRepo(repos: RepoRegistry, name: string, identity: Identity | null): Repository {
  const writer = requireWriter(identity);
  const repo = readableRepo(repos, name, writer);
  if (!owns(writer, repo) || scope(writer, repo) !== 'write') {
    throw new HubError(403, `You don't have the rights to write to ${repo.name}`);
  }
  return repo;
}

/** A repo of the caller's own, with any role (the settings pages of the Hub). */
export function ownedRepo(repos: RepoRegistry, name: string, identity: Identity | null): Repository {
  if (!identity) throw new HubError(401, 'You must be authenticated to do this (Authorization: Bearer hf_…)');
  const repo = readableRepo(repos, name, identity);
  if (!owns(identity, repo)) throw new HubError(403, `You don't have the rights to manage ${repo.name}`);
  return repo;
}
