// Lint warnings: each rule fires on its case and stays quiet on its neighbour; `lint.ignore`
// silences one rule for one project; --strict makes warnings errors; plan and the PR comment show them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINT_RULES } from '../../src/manifest/check/lint-rules.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { readSchema } from '../../src/manifest/schemas.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { makeStyle } from '../../src/render/style.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';
import { useSharedMemoryDatabase } from '../helpers/databases.js';

/** A valid TEST project with nothing to warn about; `spec` lines are appended under spec. */
function manifest(spec: string[], extra: string[] = []): string {
  return [
    'apiVersion: argosctl/v1',
    'kind: Project',
    'metadata: { id: p, name: P }',
    'spec:',
    '  authMethods: { idDocument: { enabled: true } }',
    ...spec.map((l) => `  ${l}`),
    // GCM only, unless the case writes encryption (without method both are accepted: lint.ecb).
    ...(spec.some((l) => l.startsWith('encryption:')) ? [] : ['  encryption: { method: GCM }']),
    ...extra,
    '',
  ].join('\n');
}

async function lint(text: string) {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'p.yaml'), text);
  const set = await readManifests(dir);
  expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return set.diagnostics.map((d) => ({ rule: d.rule, severity: d.severity, line: d.line, path: d.path }));
}

const OPEN_OK = [
  'status: OPEN',
  'security: { ipWhitelist: { api: [203.0.113.7] } }',
  'admins: [{ email: ops@x.example }]',
];

const cases: { rule: string; fires: string[]; quiet: string[]; path: string }[] = [
  {
    rule: 'lint.whitelist-wide',
    fires: ['status: TEST', 'security: { ipWhitelist: { dashboard: [0.0.0.0/0] } }'],
    quiet: ['status: TEST', 'security: { ipWhitelist: { dashboard: [10.0.0.0/8] } }'],
    path: 'spec.security.ipWhitelist.dashboard[0]',
  },
  {
    rule: 'lint.whitelist-wide',
    fires: ['status: TEST', 'security: { ipWhitelist: { api: [203.0.113.7, 64.0.0.0/2] } }'],
    quiet: ['status: TEST', 'security: { ipWhitelist: { api: [203.0.113.7, 64.0.0.0/8] } }'],
    path: 'spec.security.ipWhitelist.api[1]',
  },
  {
    rule: 'lint.open-empty-api-whitelist',
    fires: ['status: OPEN', 'security: { ipWhitelist: { api: [] } }', 'admins: [{ email: ops@x.example }]'],
    quiet: OPEN_OK,
    path: 'spec.status',
  },
  {
    rule: 'lint.open-without-admins',
    fires: ['status: OPEN', 'security: { ipWhitelist: { api: [203.0.113.7] } }'],
    quiet: OPEN_OK,
    path: 'spec.status',
  },
  {
    rule: 'lint.ecb',
    fires: ['status: TEST', 'encryption: { method: ECB }'],
    quiet: ['status: TEST', 'encryption: { method: GCM }'],
    path: 'spec.encryption.method',
  },
  {
    rule: 'lint.long-token-expiry',
    fires: [
      'status: TEST',
      'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 30d1s } } }',
    ],
    quiet: ['status: TEST', 'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 30d } } }'],
    path: 'spec.liveform.tokens.expiration.after',
  },
  {
    rule: 'lint.deletion-without-expiration',
    fires: ['status: TEST', 'liveform: { tokens: { preRegistration: true, deletion: { onExpiration: true } } }'],
    quiet: [
      'status: TEST',
      'liveform: { tokens: { preRegistration: true, expiration: { mode: count }, deletion: { onExpiration: true } } }',
    ],
    path: 'spec.liveform.tokens.deletion.onExpiration',
  },
  {
    rule: 'lint.private-without-pre-registration',
    fires: ['status: TEST', 'liveform: { privateMode: true }'],
    quiet: ['status: TEST', 'liveform: { privateMode: true, tokens: { preRegistration: true } }'],
    path: 'spec.liveform.privateMode',
  },
  {
    // Encrypted-only URLs are bound by their payload, which only the key holder can mint.
    rule: 'lint.private-without-pre-registration',
    fires: ['status: TEST', 'liveform: { privateMode: true }', 'encryption: { encryptedOnly: false, method: GCM }'],
    quiet: [
      'status: TEST',
      'liveform: { privateMode: true }',
      'encryption: { encryptedOnly: true, method: GCM, keys: [{ name: k1, status: active }] }',
    ],
    path: 'spec.liveform.privateMode',
  },
];

describe('lint rules', () => {
  it('the schema lets lint.ignore name exactly the rules that exist', () => {
    const schema = readSchema('project.v1.json') as {
      definitions: { LintIgnore: { properties: { rule: { enum: string[] } } } };
    };
    expect(schema.definitions.LintIgnore.properties.rule.enum).toEqual([...LINT_RULES]);
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(LINT_RULES));
  });

  for (const c of cases) {
    it(`${c.rule} fires at ${c.path}, and not on its safe neighbour`, async () => {
      expect(await lint(manifest(c.fires))).toEqual([
        { rule: c.rule, severity: 'warning', line: expect.any(Number), path: c.path },
      ]);
      expect(await lint(manifest(c.quiet))).toEqual([]);
    });
  }

  it('lint.ignore silences one rule for this project only; the others still fire', async () => {
    const spec = ['status: OPEN', 'encryption: { method: ECB }'];
    const ignore = ['lint:', '  ignore:', '    - { rule: lint.ecb, reason: the partner SDK supports only ECB }'];
    expect((await lint(manifest(spec))).map((d) => d.rule).sort()).toEqual([
      'lint.ecb',
      'lint.open-empty-api-whitelist',
      'lint.open-without-admins',
    ]);
    expect((await lint(manifest(spec, ignore))).map((d) => d.rule).sort()).toEqual([
      'lint.open-empty-api-whitelist',
      'lint.open-without-admins',
    ]);
  });

  it('an ignore without a reason, or naming an unknown rule, is a schema error', async () => {
    for (const entry of ['{ rule: lint.ecb }', '{ rule: lint.ecb, reason: "" }', '{ rule: lint.nope, reason: x }']) {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'p.yaml'), manifest(['status: TEST'], ['lint:', `  ignore: [${entry}]`]));
      const set = await readManifests(dir);
      expect(set.diagnostics.map((d) => d.severity)).toContain('error');
    }
  });
});

describe('warnings in validate, plan and the PR comment', () => {
  // Plans only read: one empty embedded database for the three of them, held open (not one each).
  const empty = useSharedMemoryDatabase();

  function project(): string {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects'));
    writeFileSync(
      path.join(dir, 'projects/p.yaml'),
      manifest(['status: TEST', 'security: { ipWhitelist: { api: [0.0.0.0/0] } }']),
    );
    return dir;
  }

  it('validate: exit 0 with the warning shown; --strict: exit 1', async () => {
    const dir = project();
    const plain = await run(['validate'], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(
      /projects\/p\.yaml:7:\d+: warning: "0\.0\.0\.0\/0" admits every IPv4 address .*\(lint\.whitelist-wide\)/,
    );
    expect(plain.stdout).toMatch(/valid \(1 warning\(s\); --strict makes them errors\)/);
    const strict = await run(['validate', '--strict'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/error: "0\.0\.0\.0\/0" admits every IPv4 address/);
    const github = await run(['validate', '--format', 'github'], { cwd: dir });
    expect(github.stdout).toMatch(/^::warning file=projects\/p\.yaml,line=7/m);
  });

  it('plan: the warning in text, markdown and JSON; --strict refuses to plan', async () => {
    const dir = project();
    const db = ['--database-url', empty.url];
    const text = await run(['plan', ...db], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /Warnings \(1\).*\n {2}! projects\/p\.yaml:7: "0\.0\.0\.0\/0" admits every IPv4 address \(lint\.whitelist-wide\)/,
    );
    const json = JSON.parse((await run(['plan', '--format', 'json', ...db], { cwd: dir })).stdout);
    expect(json.warnings).toEqual([
      expect.objectContaining({ severity: 'warning', rule: 'lint.whitelist-wide', file: 'projects/p.yaml', line: 7 }),
    ]);
    expect(json.diagnostics).toEqual([]);
    const strict = await run(['plan', '--strict', ...db], { cwd: dir });
    expect(strict.code).toBe(1);
  });

  it('the markdown plan (the PR comment body) lists warnings with escaped text', async () => {
    const dir = project();
    const set = await readManifests(path.join(dir, 'projects'));
    const plan = buildPlan({
      manifests: set,
      state: { projects: new Map(), fingerprint: 'x' },
      git: {},
      now: new Date(0),
    });
    expect(renderPlanMarkdown(plan)).toMatch(
      /\*\*Warnings\*\* \(1\).*\n\n- <code>.*p\.yaml:7<\/code> &quot;0\.0\.0\.0\/0&quot; admits every IPv4 address \(<code>lint\.whitelist-wide<\/code>\)/,
    );
    expect(renderPlanText(plan, makeStyle(false))).toMatch(/lint\.whitelist-wide/);
  });
});
