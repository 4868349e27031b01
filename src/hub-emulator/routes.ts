import { cdnObject } from './cdn.js';
import { listCommits, listRefs } from './commit-log.js';
import { commit } from './commit-route.js';
import { lfsBatch } from './lfs-batch.js';
import { deleteLfsFiles, listLfsFiles } from './lfs-files.js';
import { completeUpload, uploadObject, uploadPart } from './lfs-transfer.js';
import { pathsInfo } from './paths-info.js';
import { preupload } from './preupload.js';
import { createRepo } from './repo-create.js';
import { repoInfo } from './repo-info.js';
import { resolveCached, resolveFile } from './resolve.js';
import { REPO, type Route } from './router.js';
import { superSquash } from './super-squash.js';
import { listTree } from './tree.js';
import { treeSize } from './treesize.js';
import { whoami } from './whoami.js';

const SHA256 = '([0-9a-f]{64})';
const api = (rest: string) => new RegExp(`^/api/datasets/${REPO}${rest}$`);

/** Every URL the emulator answers. Only dataset repos are emulated. */
export const ROUTES: readonly Route[] = [
  { methods: ['GET'], pattern: /^\/api\/whoami-v2$/, handler: whoami },
  { methods: ['POST'], pattern: /^\/api\/repos\/create$/, handler: createRepo },
  { methods: ['GET'], pattern: api(''), handler: repoInfo },
  { methods: ['GET'], pattern: api('/revision/(.+)'), handler: repoInfo },
  { methods: ['POST'], pattern: api('/preupload/(.+)'), handler: preupload },
  { methods: ['POST'], pattern: api('/commit/(.+)'), handler: commit },
  { methods: ['GET'], pattern: api('/commits/(.+)'), handler: listCommits },
  { methods: ['GET'], pattern: api('/refs'), handler: listRefs },
  { methods: ['GET'], pattern: api('/tree/([^/]+)(?:/(.*?))?/?'), handler: listTree },
  { methods: ['POST'], pattern: api('/paths-info/(.+)'), handler: pathsInfo },
  { methods: ['GET'], pattern: api('/treesize/([^/]+)(?:/(.*))?'), handler: treeSize },
  { methods: ['POST'], pattern: api('/super-squash/(.+)'), handler: superSquash },
  { methods: ['GET'], pattern: api('/lfs-files'), handler: listLfsFiles },
  { methods: ['POST'], pattern: api('/lfs-files/batch'), handler: deleteLfsFiles },
  {
    methods: ['POST'],
    pattern: new RegExp(`^/datasets/${REPO}\\.git/info/lfs/objects/batch$`),
    handler: lfsBatch,
  },
  {
    methods: ['GET', 'HEAD'],
    pattern: new RegExp(`^/datasets/${REPO}/(resolve|raw)/([^/]+)/(.+)$`),
    handler: resolveFile,
  },
  {
    methods: ['GET', 'HEAD'],
    pattern: new RegExp(`^/api/resolve-cache/datasets/${REPO}/([0-9a-f]{40})/(.+)$`),
    handler: resolveCached,
  },
  {
    methods: ['PUT'],
    pattern: new RegExp(`^/__lfs/upload/${REPO}/${SHA256}$`),
    handler: uploadObject,
    signed: true,
  },
  {
    methods: ['PUT'],
    pattern: new RegExp(`^/__lfs/part/${REPO}/${SHA256}/(\\d+)$`),
    handler: uploadPart,
    signed: true,
  },
  {
    methods: ['POST'],
    pattern: new RegExp(`^/__lfs/complete/${REPO}/${SHA256}$`),
    handler: completeUpload,
    signed: true,
  },
  {
    methods: ['GET', 'HEAD'],
    pattern: new RegExp(`^/__cdn/${REPO}/${SHA256}$`),
    handler: cdnObject,
    signed: true,
  },
];
