// --policy-from REF: plan, apply and github comment read the rules that relax guards (allow:, …)
// from argosctl.yaml at a trusted revision rather than from the change under review.
import path from 'node:path';
import { Option } from 'commander';
import { CONFIG_FILE } from '../config/find-config.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import type { PolicyBasis } from '../plan/guards.js';
import { readPolicyBasis } from '../policy/policy-source.js';
import type { CliContext } from './context.js';

export const policyFromOption = () =>
  new Option(
    '--policy-from <ref>',
    'read the rules that relax guards (allow:, policy:, regions:, lint.blastRadius, traffic.refuseThreshold) from argosctl.yaml at this git revision; changing them is the risk class policy-relax (default in GitHub Actions: origin/$GITHUB_BASE_REF for a pull request, the commit before a push; elsewhere the working tree)',
  );

export function trustedPolicy(
  ctx: CliContext,
  flag: string | undefined,
  manifests: Pick<ManifestSet, 'configFile'>,
  dir: string,
): Promise<PolicyBasis | undefined> {
  const configFile = manifests.configFile ?? path.join(dir, CONFIG_FILE);
  return readPolicyBasis({ flag, env: ctx.env, cwd: ctx.cwd, configFile });
}
