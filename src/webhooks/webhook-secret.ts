// Per-project webhook signing secrets. Generated at apply when a webhook is declared (32 random
// bytes, base64url, prefix whsec_), sealed with the master key and kept sealed for good: unlike
// an API key (stored as a hash) the worker needs the secret itself to sign each delivery. It is
// shown once by `argosctl keys reveal PROJECT webhook-secret` (audited in key_reveals; a second
// reveal refuses). Bumping spec.webhook.secretRotation issues a new secret; the previous one keeps
// signing beside it for ROTATION_OVERLAP_SECONDS, so receivers can switch without losing events.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { GuardError, UserError } from '../errors.js';
import type { DatabaseSchema } from '../db/schema.js';
import { open, seal } from '../keys/seal.js';

type Tx = Transaction<DatabaseSchema>;
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const ROTATION_OVERLAP_SECONDS = 86_400;

/** The AAD of a sealed secret: it cannot be moved to another project or rotation and opened there. */
import { webhookSecretLabel } from '../keys/sealed-columns.js';
import { recordReveal } from '../keys/record-reveal.js';

export { webhookSecretLabel };

function fingerprintOf(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12)}`;
}

/** Issues the secret for `rotation` (or deletes every secret when the webhook is removed), in the apply transaction. */
export async function syncWebhookSecret(
  tx: Tx,
  projectId: string,
  rotation: number | null,
  masterKey: () => Buffer,
): Promise<void> {
  if (rotation === null) {
    await tx.deleteFrom('webhook_secrets').where('project_id', '=', projectId).execute();
    return;
  }
  await tx
    .updateTable('webhook_secrets')
    .set({
      valid_until: sql`least(coalesce(valid_until, 'infinity'),
        now() + make_interval(secs => ${ROTATION_OVERLAP_SECONDS}))` as never,
    })
    .where('project_id', '=', projectId)
    .execute();
  await tx.deleteFrom('webhook_secrets').where('project_id', '=', projectId).where('rotation', '=', rotation).execute();
  const secret = `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  await tx
    .insertInto('webhook_secrets')
    .values({
      project_id: projectId,
      rotation,
      fingerprint: fingerprintOf(secret),
      sealed: seal(masterKey(), Buffer.from(secret, 'utf8'), webhookSecretLabel(projectId, rotation)),
    })
    .execute();
}

export interface SigningSecret {
  rotation: number;
  secret: string;
}

/** The secrets that sign a delivery at `now`: the current one first, then any still in their overlap. */
export async function signingSecrets(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  now: Date,
  masterKey: () => Buffer,
): Promise<SigningSecret[]> {
  const rows = await db
    .selectFrom('webhook_secrets')
    .select(['rotation', 'sealed', 'valid_until'])
    .where('project_id', '=', projectId)
    .orderBy('valid_until', (ob) => ob.desc().nullsFirst())
    .orderBy('rotation', 'desc')
    .execute();
  return rows
    .filter((r) => r.valid_until === null || new Date(r.valid_until) > now)
    .map((r) => ({
      rotation: r.rotation,
      secret: open(masterKey(), r.sealed, webhookSecretLabel(projectId, r.rotation)).toString('utf8'),
    }));
}

export interface WebhookSecretInfo {
  rotation: number;
  fingerprint: string;
  createdAt: string;
  validUntil: string | null;
  revealed: { at: string; by: string } | null;
}

export async function listWebhookSecrets(db: Kysely<DatabaseSchema>, projectId: string): Promise<WebhookSecretInfo[]> {
  const rows = await db
    .selectFrom('webhook_secrets')
    .select(['rotation', 'fingerprint', 'created_at', 'valid_until', 'revealed_at', 'revealed_by'])
    .where('project_id', '=', projectId)
    .orderBy('rotation')
    .execute();
  return rows.map((r) => ({
    rotation: r.rotation,
    fingerprint: r.fingerprint,
    createdAt: new Date(r.created_at).toISOString(),
    validUntil: r.valid_until ? new Date(r.valid_until).toISOString() : null,
    revealed: r.revealed_at ? { at: new Date(r.revealed_at).toISOString(), by: r.revealed_by ?? '' } : null,
  }));
}

/** Opens the current secret for its one showing and records who saw it; a second call refuses. */
export async function revealWebhookSecret(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  actor: string,
  masterKey: () => Buffer,
): Promise<{ secret: string; rotation: number; fingerprint: string }> {
  return db.transaction().execute(async (tx) => {
    const project = await tx
      .selectFrom('projects')
      .select(['webhook_secret_rotation'])
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!project) throw new UserError(`project "${projectId}" does not exist`);
    const rotation = project.webhook_secret_rotation;
    if (rotation === null)
      throw new UserError(`project "${projectId}" has no webhook`, 'declare spec.webhook: {url: https://…} and apply');
    const row = await tx
      .selectFrom('webhook_secrets')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('rotation', '=', rotation)
      .forUpdate()
      .executeTakeFirst();
    if (!row)
      throw new UserError(
        `the webhook secret of "${projectId}" (rotation ${rotation}) is missing`,
        `bump spec.webhook.secretRotation to ${rotation + 1} and apply`,
      );
    if (row.revealed_at) {
      throw new GuardError(
        `the webhook secret of "${projectId}" (rotation ${rotation}) was already revealed` +
          ` at ${new Date(row.revealed_at).toISOString()} by ${row.revealed_by}; it is shown only once`,
        `bump spec.webhook.secretRotation to ${rotation + 1} and apply to issue a new secret`,
      );
    }
    const secret = open(masterKey(), row.sealed, webhookSecretLabel(projectId, rotation)).toString('utf8');
    await tx
      .updateTable('webhook_secrets')
      .set({ revealed_at: sql`now()` as never, revealed_by: actor })
      .where('project_id', '=', projectId)
      .where('rotation', '=', rotation)
      .execute();
    await recordReveal(tx, {
      projectId,
      secret: 'webhook-secret',
      rotation: rotation,
      fingerprint: row.fingerprint,
      actor,
    });
    return { secret, rotation, fingerprint: row.fingerprint };
  });
}
