// Executes a plan's changes inside the caller's transaction: batched inserts for new projects,
// one UPDATE per project row for scalar settings, set members added and removed in bulk.
import { sql, type Transaction } from 'kysely';
import { JSON_COLUMNS, SCALAR_BY_PATH, SET_BY_PATH, parseAuthPath } from '../model/fields.js';
import { AUTH_METHODS, type AdminRole, type JsonObject, type ProjectSettings } from '../model/project-settings.js';
import type { Change } from '../plan/plan-types.js';
import type { DatabaseSchema } from '../db/schema.js';
import { chunksFor, jsonb, textArray } from '../db/sql-values.js';
import type { StatementCounter } from './fault-injection.js';
import { syncApiKey } from '../keys/api-key.js';
import { resolveMasterKey } from '../keys/master-key.js';
import { DEFAULT_RETIRED_VALID_SECONDS, newKeyRow } from '../keys/encryption-keys.js';
import { syncWebhookSecret } from '../webhooks/webhook-secret.js';

type Tx = Transaction<DatabaseSchema>;

function projectRow(s: ProjectSettings) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    region: s.region,
    labels: jsonb(s.labels),
    status: s.status,
    submissions: s.submissions,
    private_mode: s.privateMode,
    token_pre_registration: s.tokenPreRegistration,
    token_expiration_mode: s.tokenExpirationMode,
    token_expiration_seconds: s.tokenExpirationSeconds,
    token_delete_on_expiration: s.tokenDeleteOnExpiration,
    token_volume_start_threshold: s.tokenVolumeStartThreshold,
    token_volume_ratio: s.tokenVolumeRatio,
    token_volume_priority: s.tokenVolumePriority,
    encrypted_only: s.encryptedOnly,
    encryption_methods: textArray(s.encryptionMethods),
    privacy_protection: s.privacyProtection,
    secure_transmission: s.secureTransmission,
    secure_transmission_public_key: s.secureTransmissionPublicKey,
    api_key_rotation: s.apiKeyRotation,
    api_key_previous_valid_seconds: s.apiKeyPreviousValidSeconds,
    encryption_retired_valid_seconds: s.encryptionRetiredValidSeconds,
    webhook_url: s.webhookUrl,
    webhook_events: s.webhookEvents === null ? null : jsonb(s.webhookEvents),
    webhook_secret_rotation: s.webhookSecretRotation,
  };
}

interface MemberRows {
  ip: { project_id: string; scope: string; range: string }[];
  admins: { project_id: string; email: string; role: string }[];
  keys: ReturnType<typeof newKeyRow>[];
}

/** The database stores roles in lower case (migration 001's CHECK). */
const storedRole = (role: AdminRole | string) => role.toLowerCase();

async function insertCreates(
  tx: Tx,
  creates: ProjectSettings[],
  counter: StatementCounter,
  masterKey: () => Buffer,
): Promise<void> {
  const rows = creates.map(projectRow);
  for (const chunk of chunksFor(rows)) await counter.run(() => tx.insertInto('projects').values(chunk).execute());
  const methods = creates.flatMap((s) =>
    AUTH_METHODS.map((m) => ({
      project_id: s.id,
      method: m,
      enabled: s.authMethods[m].enabled,
      user_policy: jsonb(s.authMethods[m].userPolicy),
      mfa: jsonb(s.authMethods[m].mfa),
      fraud_detection: jsonb(s.authMethods[m].fraudDetection),
    })),
  );
  for (const chunk of chunksFor(methods))
    await counter.run(() => tx.insertInto('auth_methods').values(chunk).execute());
  const members: MemberRows = { ip: [], admins: [], keys: [] };
  for (const s of creates) {
    for (const range of s.ipWhitelistDashboard) members.ip.push({ project_id: s.id, scope: 'dashboard', range });
    for (const range of s.ipWhitelistApi) members.ip.push({ project_id: s.id, scope: 'api', range });
    for (const a of s.admins) members.admins.push({ project_id: s.id, email: a.email, role: storedRole(a.role) });
    for (const k of s.encryptionKeys) members.keys.push(newKeyRow(masterKey(), s.id, k.name, k.status, k.rotate ?? 1));
  }
  await insertMembers(tx, members, counter);
}

async function insertMembers(tx: Tx, rows: MemberRows, counter: StatementCounter): Promise<void> {
  for (const chunk of chunksFor(rows.ip))
    await counter.run(() => tx.insertInto('ip_whitelist').values(chunk).execute());
  for (const chunk of chunksFor(rows.admins)) await counter.run(() => tx.insertInto('admins').values(chunk).execute());
  for (const chunk of chunksFor(rows.keys))
    await counter.run(() => tx.insertInto('encryption_keys').values(chunk).execute());
}

async function updateProjects(tx: Tx, updates: Change[], counter: StatementCounter): Promise<void> {
  const byProject = new Map<string, Record<string, unknown>>();
  const methodPatches = new Map<
    string,
    { enabled?: boolean; set: Record<string, JsonObject>; unset: Record<string, string[]> }
  >();
  for (const c of updates) {
    const scalar = SCALAR_BY_PATH.get(c.path);
    if (scalar) {
      const row = byProject.get(c.projectId) ?? {};
      row[scalar.column] =
        scalar.column === 'encryption_methods'
          ? textArray(c.after as string[])
          : JSON_COLUMNS.has(scalar.column) && c.after !== null
            ? jsonb(c.after)
            : c.after;
      byProject.set(c.projectId, row);
      continue;
    }
    const auth = parseAuthPath(c.path);
    if (auth) {
      const key = `${c.projectId}\0${auth.method}`;
      const patch = methodPatches.get(key) ?? { set: {}, unset: {} };
      if (auth.group === 'enabled') patch.enabled = c.after as boolean;
      else if (c.after === null) (patch.unset[auth.group] ??= []).push(auth.key!);
      else (patch.set[auth.group] ??= {})[auth.key!] = c.after;
      methodPatches.set(key, patch);
    }
  }
  for (const [id, row] of byProject) {
    await counter.run(() =>
      tx
        .updateTable('projects')
        .set({ ...row, updated_at: sql`now()` } as never)
        .where('id', '=', id)
        .execute(),
    );
  }
  const columnOf = { userPolicy: 'user_policy', mfa: 'mfa', fraudDetection: 'fraud_detection' } as const;
  for (const [key, patch] of methodPatches) {
    const [projectId, method] = key.split('\0');
    await counter.run(() =>
      tx
        .insertInto('auth_methods')
        .values({
          project_id: projectId,
          method,
          enabled: false,
          user_policy: jsonb({}),
          mfa: jsonb({}),
          fraud_detection: jsonb({}),
        })
        .onConflict((oc) => oc.columns(['project_id', 'method']).doNothing())
        .execute(),
    );
    const set: Record<string, unknown> = {};
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    for (const group of ['userPolicy', 'mfa', 'fraudDetection'] as const) {
      if (!patch.set[group] && !patch.unset[group]) continue;
      const column = sql.ref(columnOf[group]);
      const removals = patch.unset[group] ?? [];
      set[columnOf[group]] =
        sql`(${column} - cast(${`{${removals.map((r) => JSON.stringify(r)).join(',')}}`} as text[])) || ${jsonb(patch.set[group] ?? {})}`;
    }
    await counter.run(() =>
      tx
        .updateTable('auth_methods')
        .set(set as never)
        .where('project_id', '=', projectId)
        .where('method', '=', method)
        .execute(),
    );
  }
}

type KeyValue = { status: string; rotate?: number };
/** The project's grace for retired and rotated-out keys, as an SQL interval from now (read after this apply's updates). */
const graceEnd = (projectId: string) => sql`now() + make_interval(secs => coalesce(
  (select encryption_retired_valid_seconds from projects where id = ${projectId}), ${DEFAULT_RETIRED_VALID_SECONDS}))`;

/** A key's rotation or status changed: a new generation (the previous ones wait out the grace), or the current one's status. */
async function updateKey(tx: Tx, c: Change, counter: StatementCounter, masterKey: () => Buffer): Promise<void> {
  const before = c.before as KeyValue;
  const after = c.after as KeyValue;
  const name = c.member!;
  const keyRows = () =>
    tx.updateTable('encryption_keys').where('project_id', '=', c.projectId).where('name', '=', name);
  if ((before.rotate ?? 1) !== (after.rotate ?? 1)) {
    const rotation = after.rotate ?? 1;
    // A lowered rotation (guarded as retire-key): the generations from it up are destroyed, so the new one is current.
    await counter.run(() =>
      tx
        .deleteFrom('encryption_keys')
        .where('project_id', '=', c.projectId)
        .where('name', '=', name)
        .where('rotation', '>=', rotation)
        .execute(),
    );
    await counter.run(() =>
      keyRows()
        .set({ valid_until: sql`least(coalesce(valid_until, 'infinity'), ${graceEnd(c.projectId)})` as never })
        .execute(),
    );
    await counter.run(() =>
      tx
        .insertInto('encryption_keys')
        .values(newKeyRow(masterKey(), c.projectId, name, after.status, rotation))
        .execute(),
    );
    return;
  }
  const retire = after.status === 'retired';
  const current = tx
    .selectFrom('encryption_keys')
    .select((eb) => eb.fn.max('rotation').as('r'))
    .where('project_id', '=', c.projectId)
    .where('name', '=', name);
  await counter.run(() =>
    keyRows()
      .where('rotation', '=', current)
      .set({
        status: after.status,
        retired_at: retire ? sql`now()` : null,
        valid_until: retire ? graceEnd(c.projectId) : null,
      } as never)
      .execute(),
  );
}

async function changeMembers(
  tx: Tx,
  changes: Change[],
  counter: StatementCounter,
  masterKey: () => Buffer,
): Promise<void> {
  const adds: MemberRows = { ip: [], admins: [], keys: [] };
  for (const c of changes) {
    const set = SET_BY_PATH.get(c.path);
    if (!set || !c.member) continue;
    if (c.action === 'add') {
      if (set === 'ipWhitelistApi' || set === 'ipWhitelistDashboard')
        adds.ip.push({
          project_id: c.projectId,
          scope: set === 'ipWhitelistApi' ? 'api' : 'dashboard',
          range: c.member,
        });
      else if (set === 'admins')
        adds.admins.push({
          project_id: c.projectId,
          email: c.member,
          role: storedRole((c.after as { role: string }).role),
        });
      else
        adds.keys.push(
          newKeyRow(
            masterKey(),
            c.projectId,
            c.member,
            (c.after as KeyValue).status,
            (c.after as KeyValue).rotate ?? 1,
          ),
        );
    } else if (c.action === 'remove') {
      if (set === 'ipWhitelistApi' || set === 'ipWhitelistDashboard') {
        await counter.run(() =>
          tx
            .deleteFrom('ip_whitelist')
            .where('project_id', '=', c.projectId)
            .where('scope', '=', set === 'ipWhitelistApi' ? 'api' : 'dashboard')
            .where(sql`range`, '=', sql`cast(${c.member} as cidr)`)
            .execute(),
        );
      } else if (set === 'admins') {
        await counter.run(() =>
          tx.deleteFrom('admins').where('project_id', '=', c.projectId).where('email', '=', c.member!).execute(),
        );
      } else {
        await counter.run(() =>
          tx
            .deleteFrom('encryption_keys')
            .where('project_id', '=', c.projectId)
            .where('name', '=', c.member!)
            .execute(),
        );
      }
    } else if (c.action === 'update' && set === 'admins') {
      const role = storedRole((c.after as { role: string }).role);
      await counter.run(() =>
        tx
          .updateTable('admins')
          .set({ role })
          .where('project_id', '=', c.projectId)
          .where('email', '=', c.member!)
          .execute(),
      );
    } else if (c.action === 'update' && set === 'encryptionKeys') {
      await updateKey(tx, c, counter, masterKey);
    }
  }
  await insertMembers(tx, adds, counter);
}

/** A new API key for every created project that declares one, and for every rotation change. */
async function issueApiKeys(
  tx: Tx,
  creates: ProjectSettings[],
  updates: Change[],
  masterKey: () => Buffer,
  counter: StatementCounter,
): Promise<void> {
  for (const s of creates) {
    if (s.apiKeyRotation)
      await counter.run(() => syncApiKey(tx, s.id, s.apiKeyRotation, s.apiKeyPreviousValidSeconds, masterKey));
  }
  for (const c of updates.filter((u) => u.path === 'spec.security.apiKey.rotation')) {
    const row = await tx
      .selectFrom('projects')
      .select(['api_key_previous_valid_seconds'])
      .where('id', '=', c.projectId)
      .executeTakeFirstOrThrow();
    await counter.run(() =>
      syncApiKey(tx, c.projectId, c.after as number | null, row.api_key_previous_valid_seconds, masterKey),
    );
  }
}

/** A new signing secret for every created project with a webhook, and for every rotation (or removal) of one. */
async function issueWebhookSecrets(
  tx: Tx,
  creates: ProjectSettings[],
  updates: Change[],
  masterKey: () => Buffer,
  counter: StatementCounter,
): Promise<void> {
  for (const s of creates) {
    const rotation = s.webhookSecretRotation;
    if (rotation) await counter.run(() => syncWebhookSecret(tx, s.id, rotation, masterKey));
  }
  for (const c of updates.filter((u) => u.path === 'spec.webhook.secretRotation')) {
    await counter.run(() => syncWebhookSecret(tx, c.projectId, c.after as number | null, masterKey));
  }
}

/** `masterKey` seals newly issued secrets; by default it comes from the environment. */
export async function writeChanges(
  tx: Tx,
  changes: readonly Change[],
  counter: StatementCounter,
  masterKey: () => Buffer = () => resolveMasterKey(undefined),
): Promise<void> {
  const creates: ProjectSettings[] = [];
  const scalarUpdates: Change[] = [];
  const memberChanges: Change[] = [];
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        creates.push(c.after as unknown as ProjectSettings);
        break;
      case 'update':
        (c.member === undefined ? scalarUpdates : memberChanges).push(c);
        break;
      case 'add':
      case 'remove':
        memberChanges.push(c);
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }
  await insertCreates(tx, creates, counter, masterKey);
  await updateProjects(tx, scalarUpdates, counter);
  await changeMembers(tx, memberChanges, counter, masterKey);
  await issueApiKeys(tx, creates, scalarUpdates, masterKey, counter);
  await issueWebhookSecrets(tx, creates, scalarUpdates, masterKey, counter);
}
