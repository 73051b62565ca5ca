// Every `--format json` document: one object whose first keys are `formatVersion`, so a consumer can
// refuse a version it does not know, and `kind`, the name of its schema under schemas/output/
// (test/cli/json-outputs.test.ts validates each kind against its schema).
// A public key appears only as its fingerprint (src/transmit/fingerprint.ts), never as PEM text.
import { pemAsFingerprint } from '../transmit/fingerprint.js';

export const OUTPUT_FORMAT_VERSION = 1;

/** The documents argosctl prints, one schema each: schemas/output/KIND.v1.json. */
export const OUTPUT_KINDS = [
  'apply',
  'blame',
  'check',
  'db-migrate',
  'db-roles',
  'drift',
  'emergency',
  'error',
  'export',
  'fmt',
  'github-comment',
  'history',
  'init',
  'keys-list',
  'keys-reveal',
  'keys-rewrap',
  'logins',
  'migrate',
  'plan',
  'policy-test',
  'prune',
  'tokens-complete',
  'tokens-count',
  'tokens-delete',
  'tokens-import',
  'tokens-list',
  'tokens-register',
  'tokens-show',
  'tokens-start',
  'transmit-open',
  'transmit-seal',
  'transmit-service-key',
  'url-build',
  'url-open',
  'validate',
  'version',
  'webhooks-redrive',
  'webhooks-status',
] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export function jsonDocument(kind: OutputKind, body: object): string {
  return JSON.stringify({ formatVersion: OUTPUT_FORMAT_VERSION, kind, ...body }, pemAsFingerprint, 2) + '\n';
}

/** A plan (printed or saved) as its document: the plan's own formatVersion, then `kind: "plan"`. */
export function planDocument(plan: { formatVersion: number }): string {
  const { formatVersion, ...rest } = plan;
  return JSON.stringify({ formatVersion, kind: 'plan', ...rest }, pemAsFingerprint, 2) + '\n';
}
