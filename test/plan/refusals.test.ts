// Plan tells what apply will refuse: the refusals are plan data (one pure function), rendered in
// text, markdown and JSON before merge, and apply judges the very same list.
import { describe, expect, it } from 'vitest';
import { EMPTY_ORGANIZATION } from '../../src/manifest/organization.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { judgePlan } from '../../src/plan/guards.js';
import type { Plan } from '../../src/plan/plan-types.js';
import type { Organization } from '../../src/manifest/organization.js';
import { escapeMarkdown } from '../../src/render/escape-markdown.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { admin, project, stateOf } from '../helpers/builders.js';

function planOf(
  wants: ReturnType<typeof project>[],
  current: Map<string, ReturnType<typeof project>>,
  organization: Organization = EMPTY_ORGANIZATION,
): Plan {
  return buildPlan({
    manifests: {
      projects: wants.map((s) => ({ settings: s, file: 'p.yaml', line: 1, lineOf: () => 1 })),
      digest: 'sha256:y',
      organization,
    },
    state: { projects: current, fingerprint: 'sha256:x' },
    git: {},
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
const options = { allow: new Set<string>(), force: false, organization: EMPTY_ORGANIZATION, declaredProjects: 10 };

describe('plan.refusals', () => {
  const risky = planOf([project('a', { status: 'CLOSE' })], stateOf(project('a')));
  const wide = planOf(
    ids.map((id, i) => project(id, { privateMode: i < 4 })),
    stateOf(...ids.map((id) => project(id))),
  );

  it('names a risky change and what lifts it', () => {
    expect(risky.refusals).toEqual([
      {
        kind: 'risk',
        risk: 'enter-close',
        message: 'risky change "enter-close": a spec.status',
        unless: '--allow enter-close is given (or an allow rule in argosctl.yaml covers it)',
      },
    ]);
  });

  it('names a blast radius over 30% of at least 10 existing projects', () => {
    expect(wide.refusals).toEqual([
      {
        kind: 'blast-radius',
        message: 'the plan changes 4 of 10 existing projects (more than 30%)',
        unless: '--force is given (if that is intended)',
      },
    ]);
  });

  it('names an empty manifest folder against a non-empty database', () => {
    expect(planOf([], stateOf(project('a'))).refusals).toEqual([
      expect.objectContaining({ kind: 'empty-folder', unless: '--force is given (check --dir first)' }),
    ]);
  });

  it('leaves out what an allow rule of argosctl.yaml already allows', () => {
    const org = { ...EMPTY_ORGANIZATION, allow: [{ class: 'enter-close' as const, projects: ['a'] }] };
    expect(planOf([project('a', { status: 'CLOSE' })], stateOf(project('a')), org).refusals).toEqual([]);
  });

  it('shows them in text, markdown and JSON as "apply will refuse this unless …"', () => {
    for (const plan of [risky, wide]) {
      const [r] = plan.refusals;
      expect(renderPlanText(plan, makeStyle(false))).toContain(
        `  ! ${r.message}\n      apply will refuse this unless ${r.unless}\n`,
      );
      expect(renderPlanMarkdown(plan)).toContain(
        `- :no_entry: ${escapeMarkdown(r.message)}: apply will refuse this unless ${escapeMarkdown(r.unless)}`,
      );
      expect(JSON.parse(JSON.stringify(plan)).refusals).toEqual(plan.refusals);
    }
    expect(renderPlanText(risky, makeStyle(false))).toMatch(
      /Apply will refuse this plan \(exit 3, nothing written\) unless …:/,
    );
  });

  it('apply judges the same list: refused without the flag, lifted with it', () => {
    expect(judgePlan(risky, options).refused).toEqual(risky.refusals);
    expect(judgePlan(risky, { ...options, allow: new Set(['enter-close']) }).refused).toEqual([]);
    expect(judgePlan(wide, options).refused).toEqual(wide.refusals);
    expect(judgePlan(wide, { ...options, force: true }).refused).toEqual([]);
  });

  it('keeps user text inert in markdown (a member cannot add HTML or mentions)', () => {
    const plan = planOf([project('a', { admins: [] })], stateOf(project('a', { admins: [admin('x@team.example')] })));
    expect(plan.refusals[0].message).toContain('spec.admins[x@team.example]');
    expect(renderPlanMarkdown(plan)).toContain('spec.admins&#91;x@\u200dteam.example&#93;');
  });
});
