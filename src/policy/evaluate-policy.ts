// Policy evaluation: a pure function of (normalized project settings, compiled rules). It reads no
// file and knows no manifest layout, so it can run on every project, including ones whose files a
// caller did not re-read; positions are added afterwards (policy-diagnostics.ts).
import type { Json, ProjectSettings } from '../model/project-settings.js';
import { parseDuration } from '../util/duration.js';
import {
  describeCondition,
  describeScope,
  showSettingValue,
  type CompiledRule,
  type PolicyScope,
  type Scalar,
} from './policy-rules.js';
import { settingValue } from './policy-settings.js';

export interface PolicyViolation {
  rule: string;
  projectId: string;
  /** The setting's manifest path. */
  setting: string;
  /** The setting has no value (the manifest leaves it out, or it is empty). */
  missing: boolean;
  /** The value found, as argosctl.yaml would write it ("not set", "an empty list", 18, "7d"). */
  found: string;
  message: string;
  allowed: string;
}

export interface RuleOutcome {
  rule: string;
  source: string;
  description?: string;
  setting: string;
  when: PolicyScope;
  /** The condition and scope in words: "spec.admins must not be empty for projects in status OPEN". */
  requirement: string;
  /** Projects in the rule's scope that meet it, and those that do not (by id, in input order). */
  passed: string[];
  violated: PolicyViolation[];
}

export interface PolicyReport {
  rules: RuleOutcome[];
  violations: number;
}

function isEmpty(value: Json): boolean {
  if (value === null) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Numbers as they are; durations (settings in seconds, or option text such as 7d) in seconds. */
function asNumber(value: Json): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseDuration(value) : undefined;
}

function inScope(rule: CompiledRule, s: ProjectSettings): boolean {
  if (rule.when.status && !rule.when.status.includes(s.status)) return false;
  return !rule.when.region || (s.region !== null && rule.when.region.includes(s.region));
}

/** True when `value` meets the rule's condition. */
function meets(rule: CompiledRule, value: Json): boolean {
  const c = rule.condition;
  switch (c.kind) {
    case 'required':
    case 'nonEmpty':
      return !isEmpty(value);
    case 'equals':
      return value === c.value;
    case 'oneOf':
      return c.values.includes(value as Scalar);
    case 'max':
    case 'min': {
      if (value === null) return true; // nothing to exceed; combine with `required` to demand a value
      const n = asNumber(value);
      return n !== undefined && (c.kind === 'max' ? n <= c.limit : n >= c.limit);
    }
  }
}

function violation(rule: CompiledRule, s: ProjectSettings, value: Json): PolicyViolation {
  const path = rule.setting.path;
  const found = Array.isArray(value) && value.length === 0 ? 'an empty list' : showSettingValue(rule.setting, value);
  const scope = rule.when.status || rule.when.region ? ` for ${describeScope(rule.when)}` : '';
  const c = rule.condition;
  const allowed =
    c.kind === 'required' || c.kind === 'nonEmpty'
      ? `${path}: ${c.kind === 'nonEmpty' ? 'at least one entry' : 'a value'}`
      : `${path}: ${describeCondition(rule).replace(/^must be /, '')}`;
  return {
    rule: rule.rule,
    projectId: s.id,
    setting: path,
    missing: isEmpty(value),
    found,
    message: `${path} ${describeCondition(rule)}${scope}; found ${found}`,
    allowed,
  };
}

export function evaluatePolicy(projects: readonly ProjectSettings[], rules: readonly CompiledRule[]): PolicyReport {
  let violations = 0;
  const outcomes = rules.map((rule): RuleOutcome => {
    const passed: string[] = [];
    const violated: PolicyViolation[] = [];
    for (const s of projects) {
      if (!inScope(rule, s)) continue;
      const value = settingValue(s, rule.setting);
      if (meets(rule, value)) passed.push(s.id);
      else violated.push(violation(rule, s, value));
    }
    violations += violated.length;
    const scope = rule.when.status || rule.when.region ? ` for ${describeScope(rule.when)}` : '';
    return {
      rule: rule.rule,
      source: rule.source,
      description: rule.description,
      setting: rule.setting.path,
      when: rule.when,
      requirement: `${rule.setting.path} ${describeCondition(rule)}${scope}`,
      passed,
      violated,
    };
  });
  return { rules: outcomes, violations };
}
