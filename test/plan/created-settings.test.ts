// Create plans show what they create: every set value, defaults marked, in JSON, text and
// markdown, so a reviewer sees `api: 0.0.0.0/0` in the pull request; hostile values stay inert.
import { describe, expect, it } from 'vitest';
import { diffProjects } from '../../src/plan/diff.js';
import {
  PLAN_FORMAT_VERSION,
  summarize,
  type Change,
  type CreateChange,
  type Plan,
} from '../../src/plan/plan-types.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { desired, project } from '../helpers/builders.js';

const HOSTILE = 'Evil\u001b[31m | </details> @org/team #1 `x`\nnext';

function planOf(changes: Change[]): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    argosctlVersion: '0.0.0-test',
    createdAt: '2026-11-25T00:00:00.000Z',
    stateFingerprint: 's',
    manifestDigest: 'm',
    planDigest: 'p',
    git: {},
    unmanaged: [],
    scope: 'all',
    existingProjects: 0,
    summary: summarize(changes, 0),
    changes,
    refusals: [],
    diagnostics: [],
  };
}

function createOf(overrides: Parameters<typeof project>[1]): CreateChange {
  const { changes } = diffProjects([desired(project('wide-open', overrides))], new Map(), true);
  return changes[0] as CreateChange;
}

describe('create plans show what they create', () => {
  const wide = {
    status: 'OPEN' as const,
    ipWhitelistApi: ['0.0.0.0/0'],
    admins: [],
    encryptionMethods: ['ECB' as const],
    privateMode: true,
    tokenPreRegistration: true,
    tokenExpirationMode: 'time' as const,
    tokenExpirationSeconds: 86400 * 40,
    encryptionKeys: [{ name: 'k1', status: 'active' as const }],
  };

  it('JSON: the create change lists every set value, list members by key, defaults marked, unset values left out', () => {
    const c = createOf(wide);
    expect(c.settings).toContainEqual({ path: 'spec.security.ipWhitelist.api', member: '0.0.0.0/0', value: {} });
    expect(c.settings).toContainEqual({ path: 'spec.encryption.keys', member: 'k1', value: { status: 'active' } });
    expect(c.settings).toContainEqual({ path: 'spec.encryption.methods', value: ['ECB'] });
    expect(c.settings).toContainEqual({ path: 'spec.liveform.privateMode', value: true });
    expect(c.settings).toContainEqual({ path: 'spec.submissions', value: 'normal', default: true });
    expect(c.settings).toContainEqual({ path: 'spec.security.privacyProtection', value: false, default: true });
    expect(c.settings).toContainEqual({ path: 'spec.status', value: 'OPEN' });
    expect(c.settings.map((s) => s.path)).not.toContain('metadata.description'); // null: not set
    expect(c.settings.map((s) => s.path)).not.toContain('spec.admins');
    expect(JSON.parse(JSON.stringify(planOf([c]))).changes[0].settings).toEqual(c.settings);
  });

  it('text and markdown show every set value, with defaults marked', () => {
    const plan = planOf([createOf(wide)]);
    const text = renderPlanText(plan, makeStyle(false));
    expect(text).toContain('    spec.security.ipWhitelist.api: 0.0.0.0/0\n');
    expect(text).toContain('    spec.encryption.methods: ["ECB"]\n');
    expect(text).toContain('    spec.liveform.tokens.expiration.after: 40d\n');
    expect(text).toContain('    spec.submissions: "normal"  (default)\n');
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('| <code>spec.security.ipWhitelist.api</code> | 0.0.0.0/0 |');
    expect(md).toContain('| <code>spec.submissions</code> | &quot;normal&quot; _(default)_ |');
    expect(md).toContain('| <code>spec.encryption.keys</code> | k1 {&quot;status&quot;:&quot;active&quot;} |');
  });

  it('hostile values in created settings stay inert in every renderer', () => {
    const plan = planOf([createOf({ name: HOSTILE, labels: { team: HOSTILE } })]);
    const text = renderPlanText(plan, makeStyle(false));
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((l) => l.startsWith('next'))).toEqual([]);
    const md = renderPlanMarkdown(plan);
    expect(md).not.toContain('</details> @');
    expect(md).not.toMatch(/@org/);
    expect(md.split('\n').filter((l) => l.startsWith('| <code>metadata.name')).length).toBe(1);
    expect(
      md
        .split('\n')
        .find((l) => l.startsWith('| <code>metadata.name'))!
        .split('|').length,
    ).toBe(4); // no extra cell
  });
});
