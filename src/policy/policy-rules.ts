// The organisation policy of argosctl.yaml as rules ready to evaluate: `requireRegion` becomes the
// rule `policy.require-region`, each entry of `rules` the rule `policy.<name>`. Compiling assumes
// the block passed checkPolicyConfig (known settings, one fitting condition per rule).
import { excerpt } from '../manifest/excerpt.js';
import type { Organization } from '../manifest/organization.js';
import type { PolicyRule } from '../manifest/manifest-types.generated.js';
import type { Status } from '../model/project-settings.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { policySetting, type PolicySetting } from './policy-settings.js';

export type Scalar = string | number | boolean;

export const CONDITIONS = ['required', 'equals', 'oneOf', 'nonEmpty', 'max', 'min'] as const;
export type ConditionKind = (typeof CONDITIONS)[number];

export type Condition =
  | { kind: 'required' }
  | { kind: 'nonEmpty' }
  | { kind: 'equals'; value: Scalar }
  | { kind: 'oneOf'; values: Scalar[] }
  /** `limit` in seconds for a duration; `written` as argosctl.yaml says it. */
  | { kind: 'max' | 'min'; limit: number; written: number | string };

export interface PolicyScope {
  status?: Status[];
  region?: string[];
}

export interface CompiledRule {
  /** `policy.<name>`. */
  rule: string;
  /** Where the rule is written in argosctl.yaml, e.g. `policy.rules[2]`. */
  source: string;
  description?: string;
  when: PolicyScope;
  setting: PolicySetting;
  condition: Condition;
}

export const REQUIRE_REGION_RULE = 'require-region';

/** A value of a duration setting written as text (`7d`) is compared in seconds, as the settings hold it. */
export function comparable(setting: PolicySetting, value: Scalar): Scalar {
  if (setting.kind === 'duration' && typeof value === 'string') return parseDuration(value) ?? value;
  return value;
}

/** The condition a rule entry states (the first of CONDITIONS it has; the config check allows exactly one). */
export function conditionOf(entry: PolicyRule): ConditionKind | undefined {
  return CONDITIONS.find((c) => entry[c] !== undefined);
}

function compileCondition(entry: PolicyRule, setting: PolicySetting): Condition {
  const kind = conditionOf(entry)!;
  if (kind === 'required' || kind === 'nonEmpty') return { kind };
  if (kind === 'equals') return { kind, value: comparable(setting, entry.equals!) };
  if (kind === 'oneOf') return { kind, values: entry.oneOf!.map((v) => comparable(setting, v)) };
  const written = entry[kind]!;
  return { kind, written, limit: typeof written === 'number' ? written : parseDuration(written)! };
}

export function compilePolicy(organization: Organization): CompiledRule[] {
  const policy = organization.policy;
  if (!policy) return [];
  const rules: CompiledRule[] = [];
  if (policy.requireRegion) {
    rules.push({
      rule: `policy.${REQUIRE_REGION_RULE}`,
      source: 'policy.requireRegion',
      description: 'every project names its region',
      when: {},
      setting: policySetting('metadata.region')!,
      condition: { kind: 'required' },
    });
  }
  (policy.rules ?? []).forEach((entry, i) => {
    const setting = policySetting(entry.setting)!;
    rules.push({
      rule: `policy.${entry.name}`,
      source: `policy.rules[${i}]`,
      description: entry.description,
      when: { status: entry.when?.status, region: entry.when?.region },
      setting,
      condition: compileCondition(entry, setting),
    });
  });
  return rules;
}

/** A value as argosctl.yaml would write it (durations as 7d, text quoted), cut to a short escaped excerpt. */
export function showSettingValue(setting: PolicySetting, value: unknown): string {
  if (value === null || value === undefined) return 'not set';
  if (setting.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  return excerpt(JSON.stringify(value) ?? String(value), 80);
}

/** What the condition asks for, in words: "must not be empty", "must be at most 7d". */
export function describeCondition(rule: Pick<CompiledRule, 'condition' | 'setting'>): string {
  const c = rule.condition;
  const show = (v: unknown) => showSettingValue(rule.setting, v);
  switch (c.kind) {
    case 'required':
      return 'must be set';
    case 'nonEmpty':
      return 'must not be empty';
    case 'equals':
      return `must be ${show(c.value)}`;
    case 'oneOf':
      return c.values.length === 1 ? `must be ${show(c.values[0])}` : `must be one of ${c.values.map(show).join(', ')}`;
    case 'max':
      return `must be at most ${typeof c.written === 'string' ? c.written : show(c.limit)}`;
    case 'min':
      return `must be at least ${typeof c.written === 'string' ? c.written : show(c.limit)}`;
  }
}

/** "OPEN projects", "projects of region eu in status TEST or OPEN", "every project". */
export function describeScope(when: PolicyScope): string {
  const status = when.status?.length ? ` in status ${when.status.join(' or ')}` : '';
  const region = when.region?.length ? ` of region ${when.region.join(' or ')}` : '';
  return status || region ? `projects${region}${status}` : 'every project';
}
