// The planner, from in-memory builders: no files, no database.
import { describe, expect, it } from 'vitest';
import { diffProjects } from '../../src/plan/diff.js';
import { guardRefusals } from '../../src/plan/guards.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { EMPTY_ORGANIZATION } from '../../src/manifest/organization.js';
import { admin, desired, project, stateOf } from '../helpers/builders.js';
import type { Plan } from '../../src/plan/plan-types.js';

describe('diffProjects', () => {
  it('creates a project that exists only in the manifests, marking OPEN as billing-relevant', () => {
    const { changes } = diffProjects([desired(project('a', { status: 'OPEN' }))], new Map(), true);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'create', projectId: 'a', path: 'project', billing: true });
  });

  it('reports no change when desired equals current', () => {
    const p = project('a', {
      admins: [admin('x@y.example')],
      ipWhitelistApi: ['10.0.0.0/8'],
      encryptionKeys: [{ name: 'k', status: 'active' }],
    });
    expect(diffProjects([desired(p)], stateOf(p), true).changes).toEqual([]);
  });

  it('compares field by field, with before, after, reason and source', () => {
    const current = project('a');
    const want = project('a', { status: 'OPEN', privateMode: true });
    const { changes } = diffProjects([desired(want, 'm.yaml')], stateOf(current), true);
    expect(changes.map((c) => [c.action, c.path, c.before, c.after])).toEqual([
      ['update', 'spec.liveform.privateMode', false, true],
      ['update', 'spec.status', 'TEST', 'OPEN'],
    ]);
    expect(changes[1]).toMatchObject({ billing: true, source: { file: 'm.yaml' } });
    expect(changes[1].reason).toMatch(/manifest says "OPEN", the database has "TEST"/);
  });

  it('adds and removes set members one by one', () => {
    const current = project('a', { ipWhitelistApi: ['10.0.0.0/8'], admins: [admin('old@x.example')] });
    const want = project('a', { ipWhitelistApi: ['192.168.0.0/16'], admins: [admin('new@x.example')] });
    const { changes } = diffProjects([desired(want)], stateOf(current), true);
    expect(changes.map((c) => `${c.action} ${c.path}[${c.member}]`)).toEqual([
      'add spec.admins[new@x.example]',
      'add spec.security.ipWhitelist.api[192.168.0.0/16]',
      'remove spec.admins[old@x.example]',
      'remove spec.security.ipWhitelist.api[10.0.0.0/8]',
    ]);
  });

  it('diffs authentication options key by key, an absent key being null', () => {
    const current = project('a');
    current.authMethods.idDocument.userPolicy = { ageLimit: 19, scoreThreshold: 'standard' };
    const want = project('a');
    want.authMethods.idDocument.userPolicy = { scoreThreshold: 'conservative' };
    const { changes } = diffProjects([desired(want)], stateOf(current), true);
    expect(changes.map((c) => [c.path, c.before, c.after])).toEqual([
      ['spec.authMethods.idDocument.userPolicy.ageLimit', 19, null],
      ['spec.authMethods.idDocument.userPolicy.scoreThreshold', 'standard', 'conservative'],
    ]);
  });

  it('lists projects without a manifest as unmanaged and never changes them', () => {
    const { changes, unmanaged } = diffProjects(
      [desired(project('a'))],
      stateOf(project('a'), project('zz'), project('b')),
      true,
    );
    expect(changes).toEqual([]);
    expect(unmanaged).toEqual(['b', 'zz']);
  });

  it('orders changes deterministically whatever the input order', () => {
    const cur = stateOf(project('b'), project('a'));
    const wants = [
      desired(project('b', { status: 'OPEN', admins: [admin('z@x.example')] })),
      desired(project('a', { privacyProtection: true })),
      desired(project('c')),
    ];
    const one = diffProjects(wants, cur, true).changes;
    const two = diffProjects([...wants].reverse(), cur, true).changes;
    expect(two).toEqual(one);
    expect(one.map((c) => c.projectId)).toEqual(['a', 'b', 'b', 'c']);
  });

  it('marks risky changes with their class', () => {
    const current = project('a', {
      status: 'CLOSE',
      submissions: 'emergency-stop',
      encryptedOnly: true,
      encryptionMethods: ['GCM'],
      ipWhitelistApi: ['10.0.0.0/8'],
      admins: [admin('a@x.example')],
      encryptionKeys: [{ name: 'k', status: 'active' }],
    });
    const want = project('a', {
      status: 'TEST',
      submissions: 'normal',
      encryptedOnly: false,
      encryptionMethods: ['ECB'],
      ipWhitelistApi: ['10.0.0.0/8', '11.0.0.0/8'],
      admins: [],
      encryptionKeys: [{ name: 'k', status: 'retired' }],
    });
    const risks = diffProjects([desired(want)], stateOf(current), true).changes.flatMap((c) => c.risk ?? []);
    expect(new Set(risks)).toEqual(
      new Set([
        'leave-close',
        'emergency-resume',
        'disable-encrypted-only',
        'downgrade-encryption',
        'whitelist-widen',
        'remove-last-admin',
        'retire-key',
      ]),
    );
  });

  it('guards the removal of any key, retired ones included: its material is destroyed', () => {
    const current = project('a', { encryptionKeys: [{ name: 'old', status: 'retired' }] });
    const { changes } = diffProjects([desired(project('a'))], stateOf(current), true);
    expect(changes).toMatchObject([{ action: 'remove', member: 'old', risk: ['retire-key'] }]);
  });

  it('does not call a first whitelist entry a widening', () => {
    const { changes } = diffProjects(
      [desired(project('a', { ipWhitelistApi: ['10.0.0.0/8'] }))],
      stateOf(project('a')),
      true,
    );
    expect(changes[0].risk).toBeUndefined();
  });
});

function planOf(
  wants: ReturnType<typeof project>[],
  current: Map<string, ReturnType<typeof project>>,
  allowReopen = false,
): Plan {
  return buildPlan({
    manifests: {
      projects: wants.map((s) => ({ settings: s, file: 'p.yaml', line: 1, lineOf: () => 1 })),
      digest: 'sha256:y',
    },
    state: { projects: current, fingerprint: 'sha256:x' },
    git: {},
    now: new Date('2026-01-01T00:00:00Z'),
    allowReopen,
  });
}

describe('buildPlan', () => {
  it('refuses to reopen a CLOSE project unless allowed', () => {
    const cur = stateOf(project('a', { status: 'CLOSE' }));
    expect(planOf([project('a')], cur).diagnostics).toMatchObject([{ rule: 'status.reopen', path: 'spec.status' }]);
    expect(planOf([project('a')], cur, true).diagnostics).toEqual([]);
  });

  it('gives the same digest to the same plan and another to a different one', () => {
    const cur = stateOf(project('a'));
    expect(planOf([project('a', { privateMode: true })], cur).planDigest).toBe(
      planOf([project('a', { privateMode: true })], cur).planDigest,
    );
    expect(planOf([project('a', { privateMode: true })], cur).planDigest).not.toBe(
      planOf([project('a', { privacyProtection: true })], cur).planDigest,
    );
  });
});

describe('guardRefusals', () => {
  const options = { allow: new Set<string>(), force: false, organization: EMPTY_ORGANIZATION, declaredProjects: 1 };

  it('refuses risky classes unless allowed by flag or by an argosctl.yaml rule', () => {
    const plan = planOf([project('a', { submissions: 'emergency-stop' })], stateOf(project('a')));
    expect(guardRefusals(plan, options)).toEqual([
      expect.stringMatching(/"emergency-stop".*unless --allow emergency-stop is given/),
    ]);
    expect(guardRefusals(plan, { ...options, allow: new Set(['emergency-stop']) })).toEqual([]);
    expect(
      guardRefusals(plan, {
        ...options,
        organization: { ...EMPTY_ORGANIZATION, allow: [{ class: 'emergency-stop', projects: ['a'] }] },
      }),
    ).toEqual([]);
    expect(
      guardRefusals(plan, {
        ...options,
        organization: { ...EMPTY_ORGANIZATION, allow: [{ class: 'emergency-stop', projects: ['b'] }] },
      }),
    ).toHaveLength(1);
  });

  it('refuses a plan touching more than 30% of at least 10 existing projects without --force', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const cur = stateOf(...ids.map((id) => project(id)));
    const touchFour = ids.map((id, i) => project(id, { privateMode: i < 4 }));
    const touchThree = ids.map((id, i) => project(id, { privateMode: i < 3 }));
    expect(guardRefusals(planOf(touchFour, cur), options)).toEqual([
      expect.stringMatching(/changes 4 of 10 existing projects/),
    ]);
    expect(guardRefusals(planOf(touchFour, cur), { ...options, force: true })).toEqual([]);
    expect(guardRefusals(planOf(touchThree, cur), options)).toEqual([]);
  });

  it('refuses an empty manifest folder against a non-empty database without --force', () => {
    const plan = planOf([], stateOf(project('a')));
    expect(guardRefusals(plan, { ...options, declaredProjects: 0 })).toEqual([
      expect.stringMatching(/declares no project/),
    ]);
    expect(guardRefusals(plan, { ...options, declaredProjects: 0, force: true })).toEqual([]);
  });
});

describe('source lookups', () => {
  it('looks up manifest positions only for settings that changed', () => {
    let lookups = 0;
    const p = project('a', { admins: [admin('x@y.example')], ipWhitelistApi: ['10.0.0.0/8'] });
    const input = {
      settings: p,
      sourceOf: (path: string) => {
        lookups++;
        return { file: 'f', line: path.length };
      },
    };
    diffProjects([input], stateOf(p), true);
    expect(lookups).toBe(0);
    diffProjects([input], stateOf(project('a', { admins: [admin('x@y.example')] })), true);
    expect(lookups).toBe(1);
  });
});
