// Liveform URLs with a project's keys from the database: build one (url build), open one (url open,
// and admission). The formats are in liveform-url.ts; this reads keys and accepted methods.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { UserError } from '../errors.js';
import { acceptedMethods, type UrlMethod } from '../keys/accepted-methods.js';
import { encryptingKey, openingKeys, type OpenedKey } from '../keys/encryption-keys.js';
import { sortedMethods } from '../model/project-settings.js';
import {
  buildLiveformUrl,
  decryptParams,
  encryptParams,
  UrlError,
  type Params,
  type UrlErrorCode,
} from './liveform-url.js';

type Db = Kysely<DatabaseSchema>;

async function projectMethods(db: Db, projectId: string): Promise<UrlMethod[] | undefined> {
  const p = await db.selectFrom('projects').select('encryption_methods').where('id', '=', projectId).executeTakeFirst();
  return p ? acceptedMethods({ encryptionMethods: sortedMethods(p.encryption_methods) }) : undefined;
}

export interface KeyRef {
  name: string;
  rotation: number;
  keyId: string;
}
const refOf = (k: OpenedKey): KeyRef => ({ name: k.name, rotation: k.rotation, keyId: k.keyId });

export interface BuildRequest {
  params: Params;
  keyName?: string;
  method?: UrlMethod;
  base: string;
  lang?: string;
}
export interface BuiltUrl {
  url: string;
  encrypted: string;
  method: UrlMethod;
  key: KeyRef;
}

export async function buildProjectUrl(
  db: Db,
  projectId: string,
  req: BuildRequest,
  masterKey: () => Buffer,
): Promise<BuiltUrl> {
  const accepted = await projectMethods(db, projectId);
  if (!accepted) throw new UserError(`project "${projectId}" does not exist`);
  const method = req.method ?? accepted[0];
  if (!accepted.includes(method))
    throw new UserError(`project "${projectId}" does not accept ${method} URLs`, `accepted: ${accepted.join(', ')}`);
  const key = await encryptingKey(db, projectId, req.keyName, masterKey);
  const encrypted = encryptParams(req.params, key, method);
  return { url: buildLiveformUrl(req.base, projectId, encrypted, req.lang), encrypted, method, key: refOf(key) };
}

export type Opened =
  | { ok: true; params: Params; method: UrlMethod; key: KeyRef & { status: string } }
  | { ok: false; code: UrlErrorCode; message: string };

/** Opens an `encrypted` value with the keys that open URLs for the project at `now`. */
export async function openProjectEncrypted(
  db: Db,
  projectId: string,
  encrypted: string,
  now: Date,
  masterKey: () => Buffer,
): Promise<Opened> {
  const accepted = (await projectMethods(db, projectId)) ?? [];
  try {
    const keys = await openingKeys(db, projectId, now, masterKey);
    const r = decryptParams(encrypted, keys, accepted);
    return { ok: true, params: r.params, method: r.method, key: { ...refOf(r.key), status: r.key.status } };
  } catch (err) {
    if (err instanceof UrlError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
