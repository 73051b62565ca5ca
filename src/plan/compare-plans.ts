// A saved plan is only a claim: apply recomputes the plan and compares. This finds the first
// place where the two differ and names it in words (the project and setting for a change).
// Pure; values quoted from the file are JSON-escaped and cut short, since the file is untrusted.
import type { Change, Plan } from './plan-types.js';

/** Top-level fields in the order they are compared: the most telling difference comes first. */
const FIELDS = [
  'formatVersion',
  'argosctlVersion',
  'createdAt',
  'stateFingerprint',
  'manifestDigest',
  'scope',
  'existingProjects',
  'unmanaged',
  'changes',
  'refusals',
  'policy',
  'allowances',
  'summary',
  'diagnostics',
  'git',
  'planDigest',
] as const;
/** Shown for information only: recomputed from the manifests, never bound to the saved plan. */
const INFORMATIONAL = ['warnings', 'traffic'] as const;
/** Read again at apply from the traffic of then: a refusal from it is judged anew, not bound to the file. */
const fromTraffic = (plan: Plan): Plan =>
  plan.refusals ? { ...plan, refusals: plan.refusals.filter((r) => r.risk !== 'refuses-live-traffic') } : plan;

interface Difference {
  path: (string | number)[];
  saved: unknown;
  computed: unknown;
}

function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function firstDifference(saved: unknown, computed: unknown, path: (string | number)[]): Difference | undefined {
  if (Object.is(saved, computed)) return undefined;
  const bothObjects = typeof saved === 'object' && saved !== null && typeof computed === 'object' && computed !== null;
  if (!bothObjects || Array.isArray(saved) !== Array.isArray(computed)) return { path, saved, computed };
  if (Array.isArray(saved) && Array.isArray(computed)) {
    for (let i = 0; i < Math.max(saved.length, computed.length); i++) {
      const d = firstDifference(saved[i], computed[i], [...path, i]);
      if (d) return d;
    }
    return undefined;
  }
  const a = saved as Record<string, unknown>;
  const b = computed as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => a[k] !== undefined || b[k] !== undefined,
  );
  for (const key of keys) {
    const d = firstDifference(a[key], b[key], [...path, key]);
    if (d) return d;
  }
  return undefined;
}

function changeName(c: Change | undefined): string | undefined {
  if (!c || typeof c !== 'object') return undefined;
  const member = c.member !== undefined ? `[${String(c.member)}]` : '';
  return quote(`${String(c.projectId)} ${String(c.path)}${member}`).slice(1, -1);
}

function describe(d: Difference, saved: Plan, computed: Plan): string {
  const [field, index, ...rest] = d.path;
  const values = `the file has ${quote(d.saved)}, recomputing gives ${quote(d.computed)}`;
  if (field === 'changes' && typeof index === 'number') {
    const s = saved.changes[index];
    const c = computed.changes[index];
    if (!c) return `the file has an extra change ${changeName(s)} that the manifests and database do not produce`;
    if (!s) return `the file lacks the change ${changeName(c)}`;
    const where =
      changeName(c) === changeName(s)
        ? `project ${changeName(c)}`
        : `change ${index + 1} (${changeName(s)} in the file, ${changeName(c)} recomputed)`;
    return `${where}: ${rest.length ? rest.join('.') : 'the change'} differs: ${values}`;
  }
  const at = d.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
  return `${at} differs: ${values}`;
}

/**
 * Undefined when the saved plan is exactly the recomputed one; else the first difference in words.
 * Fields the saved file has beyond a plan (other than `extra`) count as differences.
 */
export function planDifference(savedFile: Plan, computedPlan: Plan, extra: readonly string[] = []): string | undefined {
  const saved = fromTraffic(savedFile);
  const computed = fromTraffic(computedPlan);
  const known = new Set<string>([...FIELDS, ...INFORMATIONAL, ...extra]);
  const unknown = Object.keys(saved).find((k) => !known.has(k));
  if (unknown) return `the file has a field a plan does not have: ${quote(unknown)}`;
  for (const field of FIELDS) {
    const d = firstDifference(
      (saved as unknown as Record<string, unknown>)[field],
      (computed as unknown as Record<string, unknown>)[field],
      [field],
    );
    if (d) return describe(d, saved, computed);
  }
  return undefined;
}
