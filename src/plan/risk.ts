// Which changes are risky (guarded at apply) and which may start billing. Pure functions of a change.
import { cidrContains } from '../util/ipv4.js';
import type { Json } from '../model/project-settings.js';
import type { RiskClass } from './plan-types.js';

const DISABLE_RISKS: Record<string, RiskClass> = {
  'spec.encryption.encryptedOnly': 'disable-encrypted-only',
  'spec.liveform.privateMode': 'disable-private-mode',
  'spec.liveform.tokens.preRegistration': 'disable-pre-registration',
  'spec.security.privacyProtection': 'disable-privacy-protection',
  'spec.security.secureTransmission.enabled': 'disable-secure-transmission',
};

const acceptsEcb = (methods: Json) => Array.isArray(methods) && methods.includes('ECB');

export function updateRisks(path: string, before: Json, after: Json): RiskClass[] {
  const risks: RiskClass[] = [];
  if (path === 'spec.status') {
    if (before === 'CLOSE') risks.push('leave-close');
    if (after === 'CLOSE') risks.push('enter-close');
  }
  if (path === 'spec.submissions') {
    if (after === 'emergency-stop') risks.push('emergency-stop');
    if (before === 'emergency-stop') risks.push('emergency-resume');
  }
  if (DISABLE_RISKS[path] && before === true && after === false) risks.push(DISABLE_RISKS[path]);
  // Accepting ECB where it was not accepted weakens every encrypted URL that may now use it.
  if (path === 'spec.encryption.methods' && !acceptsEcb(before) && acceptsEcb(after))
    risks.push('downgrade-encryption');
  // Removing the API key revokes every key at once: every client of the Token API stops working.
  if (path === 'spec.security.apiKey.rotation' && before !== null && after === null) risks.push('revoke-api-key');
  const keyStatus = (v: Json) => (v as { status?: string } | null)?.status;
  const keyRotate = (v: Json) => (v as { rotate?: number } | null)?.rotate ?? 1;
  // Lowering rotate destroys the newer material at once (no grace): as destructive as removing the key.
  const lowered =
    path === 'spec.encryption.keys' && before !== null && after !== null && keyRotate(after) < keyRotate(before);
  if (
    path === 'spec.encryption.keys' &&
    ((keyStatus(before) === 'active' && keyStatus(after) === 'retired') || lowered)
  )
    risks.push('retire-key');
  // A retired key may have leaked (that is often why it was retired): opening URLs with it again is a decision.
  if (path === 'spec.encryption.keys' && keyStatus(before) === 'retired' && keyStatus(after) === 'active')
    risks.push('reactivate-key');
  return risks;
}

/** Adding a range to a list that already restricts access lets more addresses in. */
export function whitelistAddRisks(
  beforeList: readonly string[],
  _afterList: readonly string[],
  added: string,
): RiskClass[] {
  if (beforeList.length === 0) return []; // an empty list allows everyone; the first entry narrows
  const coveredBefore = beforeList.some((r) => cidrContains(r, added));
  return coveredBefore ? [] : ['whitelist-widen'];
}

export function removeRisks(path: string, remainingMembers: number): RiskClass[] {
  if (path.startsWith('spec.security.ipWhitelist.')) return ['whitelist-remove'];
  if (path === 'spec.admins' && remainingMembers === 0) return ['remove-last-admin'];
  // Removing a key destroys its material for good, whatever its status: always guarded.
  if (path === 'spec.encryption.keys') return ['retire-key'];
  return [];
}

export function entersBilling(path: string, before: Json, after: Json): boolean {
  return path === 'spec.status' && after === 'OPEN' && before !== 'OPEN';
}
