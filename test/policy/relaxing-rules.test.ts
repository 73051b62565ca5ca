// Which edits of argosctl.yaml relax a guard (risk class policy-relax), compared with the file at
// the trusted revision; tightening edits are not flagged.
import { describe, expect, it } from 'vitest';
import { EMPTY_ORGANIZATION, type Organization } from '../../src/manifest/organization.js';
import { judgePlan, planRefusals } from '../../src/plan/guards.js';
import type { Change } from '../../src/plan/plan-types.js';
import { policyRelaxations } from '../../src/policy/relaxing-rules.js';

const org = (extra: Partial<Organization>): Organization => ({ ...EMPTY_ORGANIZATION, ...extra });
const rule = { name: 'open-privacy', setting: 'spec.security.privacyProtection', equals: true };

describe('policyRelaxations', () => {
  it('flags every relaxing edit', () => {
    const base = org({
      allow: [{ class: 'enter-close', projects: ['a'] }],
      policy: { requireRegion: true, rules: [rule] },
      regions: { eu: { managers: ['@eu.example'], require: { 'spec.security.privacyProtection': true } } },
      lint: { blastRadius: { projects: 10 } },
    });
    const head = org({
      allow: [{ class: 'enter-close', projects: ['a', 'b'] }, { class: 'leave-close' }],
      policy: { rules: [{ ...rule, equals: false }] },
      regions: { eu: { managers: ['@eu.example', '@evil.example'] } },
      lint: { blastRadius: { projects: 500, percent: 90 } },
    });
    expect(policyRelaxations(base, head)).toEqual([
      'allow[0] allows "enter-close" for "b"',
      'allow[1] allows "leave-close" for every project',
      'policy.requireRegion is turned off',
      'policy rule "open-privacy" is removed or changed',
      'regions."eu".require "spec.security.privacyProtection" is removed or changed',
      'regions."eu".managers is widened',
      'lint.blastRadius.projects is raised from 10 to 500',
      'lint.blastRadius.percent is raised from 10 to 90',
    ]);
  });

  it('does not flag tightening or unchanged rules', () => {
    const base = org({ allow: [{ class: 'enter-close' }], lint: { blastRadius: { projects: 40 } } });
    const head = org({
      allow: [{ class: 'enter-close', projects: ['a'] }],
      policy: { requireRegion: true, rules: [rule] },
      lint: { blastRadius: { projects: 5 } },
    });
    expect(policyRelaxations(base, head)).toEqual([]);
    expect(policyRelaxations(base, base)).toEqual([]);
  });
});

describe('allow rules with a trusted revision', () => {
  const change: Change = {
    action: 'update',
    projectId: 'a',
    path: 'spec.status',
    before: 'OPEN',
    after: 'CLOSE',
    reason: 'x',
    source: null,
    risk: ['enter-close'],
  };
  const plan = { changes: [change], existingProjects: 1 };
  const head = org({ allow: [{ class: 'enter-close', projects: ['a'] }] });
  const basis = { ref: 'origin/main', commit: 'c'.repeat(40), file: 'argosctl.yaml', organization: EMPTY_ORGANIZATION };

  it('a rule only the working tree has lifts nothing, and the edit is policy-relax', () => {
    const risks = planRefusals(plan, { organization: head, declaredProjects: 1, policy: basis }).map((r) => r.risk);
    expect(risks).toEqual(['enter-close', 'policy-relax']);
    expect(planRefusals(plan, { organization: head, declaredProjects: 1 })).toEqual([]);
  });

  it('--allow policy-relax accepts the working tree rules; the base file alone cannot allow what the head dropped', () => {
    const options = { organization: head, declaredProjects: 1, policy: basis, force: false };
    expect(judgePlan(plan, { ...options, allow: new Set(['policy-relax']) }).refused).toEqual([]);
    const dropped = { ...options, organization: EMPTY_ORGANIZATION, policy: { ...basis, organization: head } };
    expect(judgePlan(plan, { ...dropped, allow: new Set() }).refused.map((r) => r.risk)).toEqual(['enter-close']);
  });

  it('an allow rule naming policy-relax never lifts it', () => {
    const self = org({ allow: [{ class: 'policy-relax' }, { class: 'enter-close', projects: ['a'] }] });
    const refused = planRefusals(plan, {
      organization: self,
      declaredProjects: 1,
      policy: { ...basis, organization: head },
    });
    expect(refused.map((r) => r.risk)).toEqual(['policy-relax']);
  });
});
