// Which changes issue new secret material at apply (API keys, encryption keys, webhook secrets):
// apply seals that material with the master key, so a plan says in advance that apply needs one.
import type { Change, Plan } from './plan-types.js';

const ROTATIONS = new Set(['spec.security.apiKey.rotation', 'spec.webhook.secretRotation']);

function issuesSecret(change: Change): boolean {
  if (change.action === 'create') {
    const s = change.after as {
      encryptionKeys?: unknown[];
      apiKeyRotation?: number | null;
      webhookSecretRotation?: number | null;
    };
    return Boolean(s?.encryptionKeys?.length || s?.apiKeyRotation || s?.webhookSecretRotation);
  }
  if (ROTATIONS.has(change.path)) return change.after !== null;
  // A key added, or its rotation raised: new material. A status change or a removal issues none.
  if (change.path.startsWith('spec.encryption.keys')) {
    const before = change.before as { rotate?: number } | null;
    const after = change.after as { rotate?: number } | null;
    return after !== null && (before === null || (after.rotate ?? 1) !== (before.rotate ?? 1));
  }
  return false;
}

/** The projects whose changes issue secret material at apply, in plan order. */
export function projectsIssuingSecrets(plan: Pick<Plan, 'changes'>): string[] {
  return [...new Set(plan.changes.filter(issuesSecret).map((c) => c.projectId))];
}
