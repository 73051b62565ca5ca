// Renderers only render: the same plan in text, markdown and JSON, with colour only when asked.
import { describe, expect, it } from 'vitest';
import { EMPTY_ORGANIZATION } from '../../src/manifest/organization.js';
import { diffProjects } from '../../src/plan/diff.js';
import { planRefusals } from '../../src/plan/guards.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan } from '../../src/plan/plan-types.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { admin, desired, project, stateOf } from '../helpers/builders.js';

function samplePlan(): Plan {
  const current = stateOf(
    project('bank', {
      status: 'TEST',
      tokenPreRegistration: true,
      tokenExpirationMode: 'time',
      tokenExpirationSeconds: 86400,
      ipWhitelistApi: ['10.0.0.0/8'],
      admins: [admin('a@x.example')],
    }),
    project('legacy'),
  );
  const wants = [
    desired(
      project('bank', {
        status: 'OPEN',
        tokenPreRegistration: true,
        tokenExpirationMode: 'time',
        tokenExpirationSeconds: 3600,
        ipWhitelistApi: ['10.0.0.0/8', '11.0.0.0/8'],
        admins: [admin('a@x.example')],
      }),
      'projects/bank.yaml',
    ),
    desired(project('new-one'), 'projects/new.yaml'),
  ];
  const { changes, unmanaged } = diffProjects(wants, current, true);
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    argosctlVersion: '0.0.0-test',
    createdAt: '2026-11-25T00:00:00.000Z',
    stateFingerprint: 'sha256:s',
    manifestDigest: 'sha256:m',
    planDigest: 'sha256:p',
    git: {},
    unmanaged,
    scope: 'all',
    existingProjects: 2,
    summary: summarize(changes, unmanaged.length),
    changes,
    diagnostics: [],
    refusals: planRefusals({ changes, existingProjects: 2 }, { organization: EMPTY_ORGANIZATION, declaredProjects: 2 }),
  };
}

describe('plan renderers', () => {
  it('text: Terraform-like symbols, flags, sources, durations as written, unmanaged, summary', () => {
    expect(renderPlanText(samplePlan(), makeStyle(false))).toBe(
      [
        '~ project bank',
        '    ~ spec.liveform.tokens.expiration.after: 1d → 1h  (projects/bank.yaml:37)',
        '    ~ spec.status: "TEST" → "OPEN"  ! billing: credit usage may be charged  (projects/bank.yaml:11)',
        '    + spec.security.ipWhitelist.api[11.0.0.0/8]  ! risk: whitelist-widen  (projects/bank.yaml:29)',
        '',
        '+ project new-one will be created  (projects/new.yaml:11)',
        '    metadata.name: "Project new-one"',
        '    spec.status: "TEST"',
        '    spec.submissions: "normal"  (default)',
        '    spec.liveform.privateMode: false  (default)',
        '    spec.liveform.tokens.preRegistration: false  (default)',
        '    spec.liveform.tokens.expiration.mode: "none"  (default)',
        '    spec.liveform.tokens.deletion.onExpiration: false  (default)',
        '    spec.encryption.encryptedOnly: false  (default)',
        '    spec.encryption.methods: ["GCM"]',
        '    spec.security.privacyProtection: false  (default)',
        '    spec.security.secureTransmission.enabled: false  (default)',
        '    spec.authMethods.idDocument.enabled: true',
        '    spec.authMethods.knowledgeBased.enabled: false  (default)',
        '',
        'Unmanaged: 1 project(s) in the database have no manifest and are left unchanged: legacy',
        '',
        'Apply will refuse this plan (exit 3, nothing written) unless …:',
        '  ! risky change "whitelist-widen": bank spec.security.ipWhitelist.api[11.0.0.0/8]',
        '      apply will refuse this unless --allow whitelist-widen is given (or an allow rule in argosctl.yaml covers it)',
        '',
        'Plan: 1 to create, 2 to update, 1 to add, 0 to remove across 2 project(s) (1 risky, 1 billing-relevant).',
        '',
      ].join('\n'),
    );
  });

  it('text: colour codes only when the style asks for them', () => {
    expect(renderPlanText(samplePlan(), makeStyle(false))).not.toMatch(/\u001b\[/);
    expect(renderPlanText(samplePlan(), makeStyle(true))).toMatch(/\u001b\[33m~ project/);
  });

  it('markdown: summary table, attention list, one folded section per project', () => {
    const md = renderPlanMarkdown(samplePlan());
    expect(md).toMatch(/^### argosctl plan\n\nPlan: 1 to create/);
    expect(md).toContain('| 1 | 2 | 1 | 0 | 2 | 1 | 1 |');
    expect(md).toContain('- <code>bank</code> ~ <code>spec.status</code>: billing: credit usage may be charged');
    expect(md).toContain('<details><summary><code>bank</code>: 3 change(s)</summary>');
    expect(md).toContain('<details><summary><code>new-one</code>: 1 change(s)</summary>');
    expect(md).toContain('_Unmanaged (no manifest, left unchanged): <code>legacy</code>_');
  });

  it('an object-valued setting shows only the lines that changed', () => {
    const before = project('p');
    before.authMethods.idDocument.fraudDetection = { faceMatch: { enabled: true, threshold: 80 } };
    const after = project('p');
    after.authMethods.idDocument.fraudDetection = { faceMatch: { enabled: true, threshold: 85 } };
    const { changes } = diffProjects([desired(after)], stateOf(before), true);
    const text = renderPlanText(
      { ...samplePlan(), changes, unmanaged: [], summary: summarize(changes, 0) },
      makeStyle(false),
    );
    expect(text).toContain(
      [
        '    ~ spec.authMethods.idDocument.fraudDetection.faceMatch  (projects/p.yaml:52)',
        '        - "threshold": 80',
        '        + "threshold": 85',
      ].join('\n'),
    );
  });

  it('no changes reads as such', () => {
    const plan = { ...samplePlan(), changes: [], refusals: [], unmanaged: [], summary: summarize([], 0) };
    expect(renderPlanText(plan, makeStyle(false))).toBe('No changes. The database matches the manifests.\n');
  });
});
