// The rules of argosctl.yaml that relax a guard: `allow` (risk classes without --allow), the
// organisation policy (`policy.requireRegion`, `policy.rules`), region requirements and managers,
// the lint.blastRadius thresholds and traffic.refuseThreshold. A pull request edits argosctl.yaml too, so these are taken
// from the file at a trusted revision (--policy-from); how the working tree relaxes them compared
// with it is the risk class policy-relax. Pure: both files are passed in, already read.
import { excerpt } from '../manifest/excerpt.js';
import type { AllowRule } from '../manifest/manifest-types.generated.js';
import type { Organization } from '../manifest/organization.js';
import { BLAST_RADIUS_WARN } from '../plan/blast-radius-lint.js';
import { canonicalJson } from '../util/canonical-json.js';
import { refuseThresholdPercent } from '../plan/traffic-types.js';

/** Does `rule` allow `risk` on `projectId`? */
export function allowRuleCovers(rule: AllowRule, risk: string, projectId: string): boolean {
  return rule.class === risk && (!rule.projects || rule.projects.includes(projectId));
}

const q = (text: string) => JSON.stringify(excerpt(text, 60));

/** What `rule` allows that no rule of `base` does (undefined: nothing new). */
function widening(base: readonly AllowRule[], rule: AllowRule): string | undefined {
  if (!rule.projects) {
    return base.some((b) => b.class === rule.class && !b.projects) ? undefined : `${q(rule.class)} for every project`;
  }
  const added = rule.projects.filter((p) => !base.some((b) => allowRuleCovers(b, rule.class, p)));
  return added.length
    ? `${q(rule.class)} for ${added.slice(0, 3).map(q).join(', ')}${added.length > 3 ? ', …' : ''}`
    : undefined;
}

function allowRelaxations(base: Organization, head: Organization): string[] {
  return (head.allow ?? []).flatMap((rule, i) => {
    const what = widening(base.allow ?? [], rule);
    return what ? [`allow[${i}] allows ${what}`] : [];
  });
}

function policyRuleRelaxations(base: Organization, head: Organization): string[] {
  const out: string[] = [];
  if (base.policy?.requireRegion && !head.policy?.requireRegion) out.push('policy.requireRegion is turned off');
  const kept = new Set((head.policy?.rules ?? []).map((r) => canonicalJson(r)));
  for (const rule of base.policy?.rules ?? []) {
    if (!kept.has(canonicalJson(rule))) out.push(`policy rule ${q(rule.name)} is removed or changed`);
  }
  return out;
}

function regionRelaxations(base: Organization, head: Organization): string[] {
  const out: string[] = [];
  for (const [name, region] of Object.entries(base.regions ?? {})) {
    const now = head.regions?.[name];
    for (const [setting, value] of Object.entries(region.require ?? {})) {
      if (now?.require?.[setting] !== value) out.push(`regions.${q(name)}.require ${q(setting)} is removed or changed`);
    }
    const managers = region.managers;
    if (managers && (!now?.managers || now.managers.some((m) => !managers.includes(m))))
      out.push(`regions.${q(name)}.managers is widened`);
  }
  return out;
}

function blastRadiusRelaxations(base: Organization, head: Organization): string[] {
  const was = { ...BLAST_RADIUS_WARN, ...base.lint?.blastRadius };
  const now = { ...BLAST_RADIUS_WARN, ...head.lint?.blastRadius };
  return (['projects', 'percent'] as const)
    .filter((k) => now[k] > was[k])
    .map((k) => `lint.blastRadius.${k} is raised from ${was[k]} to ${now[k]}`);
}

function trafficRelaxations(base: Organization, head: Organization): string[] {
  const was = refuseThresholdPercent(base.traffic?.refuseThreshold);
  const now = refuseThresholdPercent(head.traffic?.refuseThreshold);
  return now > was ? [`traffic.refuseThreshold is raised from ${was}% to ${now}%`] : [];
}

/** How `head` (the working tree's argosctl.yaml) relaxes a guard compared with `base`, in words. */
export function policyRelaxations(base: Organization, head: Organization): string[] {
  return [
    ...allowRelaxations(base, head),
    ...policyRuleRelaxations(base, head),
    ...regionRelaxations(base, head),
    ...blastRadiusRelaxations(base, head),
    ...trafficRelaxations(base, head),
  ];
}
