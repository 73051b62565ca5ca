// traffic.refuseThreshold is a relaxing rule: the trusted revision's value is in force, raising it
// in the working tree is policy-relax, and an allow rule for refuses-live-traffic must name projects.
import { describe, expect, it } from 'vitest';
import { EMPTY_ORGANIZATION, type Organization } from '../../src/manifest/organization.js';
import { refuseThresholdOf } from '../../src/plan/guards.js';
import { refuseThresholdPercent } from '../../src/plan/traffic-types.js';
import { NEEDS_PROJECTS } from '../../src/policy/check-allow-rules.js';
import { policyRelaxations } from '../../src/policy/relaxing-rules.js';

const org = (refuseThreshold?: string | number): Organization => ({
  ...EMPTY_ORGANIZATION,
  ...(refuseThreshold === undefined ? {} : { traffic: { refuseThreshold } }),
});

describe('traffic.refuseThreshold', () => {
  it('reads 1%, 0.5% and plain numbers; 1% when absent', () => {
    expect([refuseThresholdPercent('1%'), refuseThresholdPercent('0.5%'), refuseThresholdPercent(3)]).toEqual([
      1, 0.5, 3,
    ]);
    expect(refuseThresholdPercent(undefined)).toBe(1);
  });

  it('the trusted revision is in force; raising it in the working tree is policy-relax', () => {
    const policy = { ref: 'origin/main', commit: 'c'.repeat(40), file: 'argosctl.yaml', organization: org('1%') };
    expect(refuseThresholdOf({ organization: org('50%'), policy })).toBe(1);
    expect(refuseThresholdOf({ organization: org('2%') })).toBe(2);
    expect(policyRelaxations(org('1%'), org('50%'))).toEqual(['traffic.refuseThreshold is raised from 1% to 50%']);
    expect(policyRelaxations(org('1%'), org('0.5%'))).toEqual([]);
    expect(policyRelaxations(org(), org())).toEqual([]);
  });

  it('an allow rule for refuses-live-traffic must name its projects', () => {
    expect(NEEDS_PROJECTS).toContain('refuses-live-traffic');
  });
});
