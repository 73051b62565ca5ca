// The plan's word that apply will need the master key: it seals the secret material it issues.
import { projectsIssuingSecrets } from '../plan/issues-secrets.js';
import type { Plan } from '../plan/plan-types.js';

const SHOWN = 5;

/** The projects issuing secrets, the first few named (escaped by `quoteId`); undefined when none. */
function issuingNamed(plan: Pick<Plan, 'changes'>, quoteId: (id: string) => string): string | undefined {
  const ids = projectsIssuingSecrets(plan);
  if (!ids.length) return undefined;
  return ids.slice(0, SHOWN).map(quoteId).join(', ') + (ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : '');
}

/** The note, with project ids left for the caller to escape; undefined when apply issues nothing. */
export function masterKeyNote(plan: Pick<Plan, 'changes'>, quoteId: (id: string) => string): string | undefined {
  const named = issuingNamed(plan, quoteId);
  if (!named) return undefined;
  return `Apply issues new secret material for ${named} and seals it with the master key: set ARGOS_MASTER_KEY or ARGOS_MASTER_KEY_FILE where apply runs (the embedded database keeps its own key file).`;
}

/** After apply: the next step for the secrets it issued (each is revealed once), or undefined. */
export function revealNote(plan: Pick<Plan, 'changes'>, quoteId: (id: string) => string): string | undefined {
  const named = issuingNamed(plan, quoteId);
  if (!named) return undefined;
  return `New secret material for ${named}: reveal each key once with argosctl keys reveal PROJECT api-key|webhook-secret|KEY-NAME --out FILE`;
}
