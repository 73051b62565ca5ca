// The policy block of argosctl.yaml, checked beyond its schema: each rule names a real setting and
// exactly one condition that can hold for it, names are unique, regions are declared. Problems are
// diagnostics at argosctl.yaml's file:line:column, like a manifest's.
import { formatPath, type Diagnostic } from '../manifest/diagnostic.js';
import { quote, showValue } from '../manifest/excerpt.js';
import type { PolicyRule } from '../manifest/manifest-types.generated.js';
import type { Organization } from '../manifest/organization.js';
import { locate, type ParsedDocument } from '../manifest/read/yaml-position.js';
import { parseDuration } from '../util/duration.js';
import { closest } from '../util/levenshtein.js';
import { CONDITIONS, REQUIRE_REGION_RULE, type ConditionKind } from './policy-rules.js';
import { POLICY_SETTING_PATHS, policySetting, type PolicySetting } from './policy-settings.js';

type Seg = string | number;
type Report = (at: Seg[], message: string, allowed: string) => void;

const CONDITION_LIST = CONDITIONS.join(', ');
const KIND_WORDS: Partial<Record<string, string>> = { list: 'a list or map', map: 'a list or map' };

/** What a value of `setting` may be compared with, or undefined when `value` fits it. */
function valueProblem(setting: PolicySetting, value: unknown): string | undefined {
  switch (setting.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'enum':
      return setting.values!.includes(value as string) ? undefined : `one of ${setting.values!.join(', ')}`;
    case 'list':
      // A list of known values (encryption methods): each value named must be one of them.
      if (!setting.values) return undefined;
      return setting.values.includes(value as string) ? undefined : `one of ${setting.values.join(', ')}`;
    case 'string':
      return typeof value === 'string' ? undefined : 'text';
    case 'number':
      return typeof value === 'number' ? undefined : 'a number';
    case 'duration':
      return typeof value === 'string' && parseDuration(value) !== undefined
        ? undefined
        : 'a duration such as 30s, 10m, 24h or 7d';
    default:
      return undefined;
  }
}

/** Which kinds of setting each condition can be used on (the rest cannot fail, or cannot be compared). */
const FITS: Record<ConditionKind, readonly string[]> = {
  required: ['string', 'number', 'duration', 'enum', 'option', 'list', 'map'],
  nonEmpty: ['string', 'list', 'map', 'option'],
  equals: ['boolean', 'enum', 'string', 'number', 'duration', 'option'],
  // On a list of values (encryption methods): every member is one of them.
  oneOf: ['boolean', 'enum', 'string', 'number', 'duration', 'option', 'list'],
  max: ['number', 'duration', 'option'],
  min: ['number', 'duration', 'option'],
};

function checkCondition(entry: PolicyRule, at: Seg[], setting: PolicySetting, report: Report): void {
  const stated = CONDITIONS.filter((c) => entry[c] !== undefined);
  if (stated.length === 0)
    return report(at, `rule ${quote(entry.name)} states no condition`, `exactly one of ${CONDITION_LIST}`);
  if (stated.length > 1) {
    return report(
      [...at, stated[1]],
      `rule ${quote(entry.name)} states ${stated.length} conditions (${stated.join(', ')})`,
      `exactly one condition per rule; write another rule for the next one`,
    );
  }
  const kind = stated[0];
  const where = [...at, kind];
  if (!FITS[kind].includes(setting.kind) || (kind === 'required' && setting.always)) {
    const why =
      kind === 'required' && setting.always
        ? 'always has a value (its default when left out), so required cannot fail'
        : `is ${KIND_WORDS[setting.kind] ?? `a ${setting.kind}`}, which ${kind} does not apply to`;
    return report(
      where,
      `${setting.path} ${why}`,
      `for this setting: ${Object.entries(FITS)
        .filter(([c, kinds]) => kinds.includes(setting.kind) && !(c === 'required' && setting.always))
        .map(([c]) => c)
        .join(', ')}`,
    );
  }
  const values: unknown[] = kind === 'oneOf' ? entry.oneOf! : kind === 'equals' ? [entry.equals] : [];
  values.forEach((value, i) => {
    const problem = valueProblem(setting, value);
    if (problem)
      report(kind === 'oneOf' ? [...where, i] : where, `${setting.path} can never be ${showValue(value)}`, problem);
  });
  if (kind === 'max' || kind === 'min') {
    const limit = entry[kind]!;
    const ok =
      setting.kind === 'number'
        ? typeof limit === 'number'
        : setting.kind === 'duration'
          ? typeof limit === 'string' && parseDuration(limit) !== undefined
          : typeof limit === 'number' || parseDuration(limit) !== undefined;
    const allowed =
      setting.kind === 'number'
        ? 'a number'
        : setting.kind === 'duration'
          ? 'a duration such as 30s, 10m, 24h or 7d'
          : 'a number or a duration';
    if (!ok) report(where, `${kind} of ${setting.path} is ${quote(String(limit))}, not ${allowed}`, allowed);
  }
}

function checkRule(
  entry: PolicyRule,
  i: number,
  regions: readonly string[],
  seen: Map<string, number>,
  report: Report,
): void {
  const at = ['policy', 'rules', i];
  if (entry.name === REQUIRE_REGION_RULE) {
    report([...at, 'name'], `the rule name ${quote(entry.name)} is taken by requireRegion`, 'another name');
  } else if (seen.has(entry.name)) {
    report(
      [...at, 'name'],
      `the rule name ${quote(entry.name)} is used twice (also by rule ${seen.get(entry.name)})`,
      'each name once',
    );
  }
  seen.set(entry.name, i);
  for (const [j, region] of (entry.when?.region ?? []).entries()) {
    if (!regions.includes(region)) {
      report(
        [...at, 'when', 'region', j],
        `region ${quote(region)} is not declared under regions`,
        regions.length ? `one of: ${regions.join(', ')}` : 'declare it under regions',
      );
    }
  }
  const setting = policySetting(entry.setting);
  if (!setting) {
    const guess = closest(entry.setting, POLICY_SETTING_PATHS);
    return report(
      [...at, 'setting'],
      `${quote(entry.setting)} is not a setting a policy can check${guess ? ` (did you mean ${guess}?)` : ''}`,
      'a manifest path from `argosctl schema`, such as spec.security.privacyProtection or ' +
        'spec.authMethods.idDocument.userPolicy.ageLimit',
    );
  }
  checkCondition(entry, at, setting, report);
}

/** Problems of the policy block of a schema-valid argosctl.yaml (none when it has no policy). */
export function checkPolicyConfig(parsed: ParsedDocument, organization: Organization): Diagnostic[] {
  const policy = organization.policy;
  if (!policy) return [];
  const out: Diagnostic[] = [];
  const report: Report = (at, message, allowed) => {
    out.push({
      severity: 'error',
      rule: 'config.policy',
      file: parsed.file,
      ...locate(parsed, at),
      path: formatPath(at),
      message,
      allowed,
    });
  };
  const regions = Object.keys(organization.regions ?? {});
  if (policy.requireRegion && regions.length === 0) {
    report(
      ['policy', 'requireRegion'],
      'requireRegion is on but argosctl.yaml declares no regions, so no project could meet it',
      'declare regions, or requireRegion: false',
    );
  }
  const seen = new Map<string, number>();
  (policy.rules ?? []).forEach((entry, i) => checkRule(entry, i, regions, seen, report));
  return out;
}
