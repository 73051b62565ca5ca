// lint.blast-radius: a plan that changes very many existing projects is flagged in the plan (text,
// markdown, JSON) as a warning, an error with --strict; the limits come from argosctl.yaml.
import { describe, expect, it } from 'vitest';
import { EMPTY_ORGANIZATION, type Organization } from '../../src/manifest/organization.js';
import type { ProjectSettings } from '../../src/model/project-settings.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { project, stateOf } from '../helpers/builders.js';

const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

/** `existing` projects in the database; the first `changed` of them get privacy protection in the manifests. */
function planOf(
  existing: number,
  changed: number,
  opts: { organization?: Organization; strict?: boolean; created?: number } = {},
) {
  const current = ids(existing).map((id) => project(id));
  const wanted: ProjectSettings[] = current.map((p, i) => (i < changed ? { ...p, privacyProtection: true } : p));
  for (const id of ids(opts.created ?? 0, 'new')) wanted.push(project(id));
  return buildPlan({
    manifests: {
      projects: wanted.map((s) => ({ settings: s, file: 'p.yaml', line: 1, lineOf: () => 1 })),
      digest: 'sha256:y',
      organization: opts.organization ?? EMPTY_ORGANIZATION,
    },
    state: { projects: stateOf(...current), fingerprint: 'sha256:x' },
    git: {},
    now: new Date('2026-01-01T00:00:00Z'),
    strict: opts.strict,
  });
}

const blast = (plan: ReturnType<typeof planOf>) => (plan.warnings ?? []).filter((w) => w.rule === 'lint.blast-radius');

describe('lint.blast-radius', () => {
  it('fires above 25 changed projects, whatever their share; not at 25', () => {
    expect(blast(planOf(1000, 26))).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: '(plan)',
        path: '(plan)',
        message: expect.stringMatching(
          /^the plan changes 26 of 1000 existing projects \(3%\): p000, p001, p002, p003, p004, and 21 more; most changed setting: spec\.security\.privacyProtection \(in 26\)$/,
        ),
      }),
    ]);
    expect(blast(planOf(1000, 25))).toEqual([]);
  });

  it('fires above 10% of the existing projects when at least 5 change; 2 of 10 or 10% exactly does not', () => {
    expect(blast(planOf(40, 5))).toHaveLength(1); // 12.5%
    expect(blast(planOf(50, 5))).toEqual([]); // 10%
    expect(blast(planOf(10, 2))).toEqual([]); // 20%, but only 2 projects
    expect(blast(planOf(9, 5))).toEqual([]); // under 10 existing: the share does not count
  });

  it('counts changes to existing projects only: creating 100 projects is not a blast radius', () => {
    expect(blast(planOf(10, 0, { created: 100 }))).toEqual([]);
  });

  it('takes its limits from lint.blastRadius in argosctl.yaml', () => {
    const organization: Organization = { ...EMPTY_ORGANIZATION, lint: { blastRadius: { projects: 3, percent: 50 } } };
    expect(blast(planOf(1000, 4, { organization }))).toEqual([
      expect.objectContaining({ allowed: 'at most 3 projects and at most 50% of them per plan' }),
    ]);
    expect(blast(planOf(40, 5, { organization }))).toHaveLength(1); // 5 > 3 projects
    expect(blast(planOf(1000, 3, { organization }))).toEqual([]);
  });

  it('--strict makes it an error in plan.diagnostics (plan exits 1), not a warning', () => {
    const plan = planOf(1000, 30, { strict: true });
    expect(blast(plan)).toEqual([]);
    expect(plan.diagnostics).toEqual([expect.objectContaining({ severity: 'error', rule: 'lint.blast-radius' })]);
  });

  it('is shown in the text and markdown plans as being about the plan, and in JSON under warnings', () => {
    const plan = planOf(1000, 30);
    expect(renderPlanText(plan, makeStyle(false))).toMatch(
      / {2}! the plan: the plan changes 30 of 1000 existing projects .*\(lint\.blast-radius\)/,
    );
    expect(renderPlanMarkdown(plan)).toMatch(
      /- <code>the plan<\/code> the plan changes 30 of 1000 existing projects .*\(<code>lint\.blast-radius<\/code>\)/,
    );
    expect(JSON.parse(JSON.stringify(plan)).warnings).toEqual([
      expect.objectContaining({ rule: 'lint.blast-radius', line: 1, column: 1 }),
    ]);
  });
});
