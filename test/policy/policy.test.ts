// Organisation policy (argosctl.yaml `policy:`): each condition fires and stays quiet on its
// neighbour, violations name the rule and the manifest's file:line:column, a bad policy block is
// reported at argosctl.yaml's line and column, policy test reports per rule (text and JSON), and
// hostile text from argosctl.yaml stays inert in every output.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticsMarkdown } from '../../src/github/comment-body.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { evaluatePolicy } from '../../src/policy/evaluate-policy.js';
import { compilePolicy } from '../../src/policy/policy-rules.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';
import { admin, project } from '../helpers/builders.js';

const CONFIG_HEAD = ['apiVersion: argosctl/v1', 'kind: Organization', 'regions:', '  eu: {}', '  us: {}'];

/**
 * A valid project document: `spec` lines go under spec (an authMethods line replaces the default
 * one), `metadata` lines under metadata.
 */
function manifest(id: string, spec: string[], metadata: string[] = ['region: eu']): string {
  const auth = spec.some((l) => l.startsWith('authMethods:'))
    ? []
    : ['  authMethods: { idDocument: { enabled: true } }'];
  // GCM only unless the test says otherwise (without method both are accepted, and lint.ecb warns).
  const encryption = spec.some((l) => l.startsWith('encryption:')) ? [] : ['  encryption: { method: GCM }'];
  return [
    'apiVersion: argosctl/v1',
    'kind: Project',
    'metadata:',
    `  id: ${id}`,
    `  name: ${id}`,
    ...metadata.map((l) => `  ${l}`),
    'spec:',
    ...auth,
    ...spec.map((l) => `  ${l}`),
    ...encryption,
    '',
  ].join('\n');
}

/** A folder with argosctl.yaml (policy lines under `policy:`) and the given manifests. */
function repo(policy: string[], files: Record<string, string>, head = CONFIG_HEAD): string {
  const dir = tempDir();
  const block = policy.length ? ['policy:', ...policy.map((l) => `  ${l}`)] : [];
  writeFileSync(path.join(dir, 'argosctl.yaml'), [...head, ...block, ''].join('\n'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function errorsOf(policy: string[], spec: string[], metadata?: string[]) {
  const set = await readManifests(repo(policy, { 'p.yaml': manifest('p', spec, metadata) }));
  return set.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ rule: d.rule, file: path.basename(d.file), line: d.line, column: d.column, path: d.path }));
}

const rule = (setting: string, condition: string, when = '') => [
  'rules:',
  `  - { name: r, setting: ${setting}, ${condition}${when ? `, when: ${when}` : ''} }`,
];

// Each case: a policy, a manifest that violates it (with where the error points) and one that meets it.
const cases: {
  name: string;
  policy: string[];
  fires: string[];
  firesMeta?: string[];
  at: [number, number];
  path: string;
  quiet: string[];
  quietMeta?: string[];
}[] = [
  {
    name: 'requireRegion',
    policy: ['requireRegion: true'],
    fires: ['status: TEST'],
    firesMeta: [],
    at: [4, 3],
    path: 'metadata.region',
    quiet: ['status: TEST'],
  },
  {
    name: 'required',
    policy: rule('spec.liveform.tokens.expiration.after', 'required: true'),
    fires: ['status: TEST'],
    at: [8, 3],
    path: 'spec.liveform.tokens.expiration.after',
    quiet: ['status: TEST', 'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 1h } } }'],
  },
  {
    name: 'equals',
    policy: rule('spec.security.privacyProtection', 'equals: true'),
    fires: ['status: TEST', 'security: { privacyProtection: false }'],
    at: [10, 34],
    path: 'spec.security.privacyProtection',
    quiet: ['status: TEST', 'security: { privacyProtection: true }'],
  },
  {
    name: 'oneOf',
    policy: rule('spec.encryption.methods', 'oneOf: [GCM]'),
    fires: ['status: TEST', 'encryption: { method: ECB }'],
    at: [10, 25],
    path: 'spec.encryption.methods',
    quiet: ['status: TEST', 'encryption: { method: GCM }'],
  },
  {
    name: 'nonEmpty (scoped by status: points at spec.status when the list is left out)',
    policy: rule('spec.security.ipWhitelist.api', 'nonEmpty: true', '{ status: [OPEN] }'),
    fires: ['status: OPEN'],
    at: [9, 11],
    path: 'spec.security.ipWhitelist.api',
    quiet: ['status: TEST'],
  },
  {
    name: 'nonEmpty (an empty list written)',
    policy: rule('spec.admins', 'nonEmpty: true'),
    fires: ['status: TEST', 'admins: []'],
    at: [10, 11],
    path: 'spec.admins',
    quiet: ['status: TEST', 'admins: [{ email: ops@x.example }]'],
  },
  {
    name: 'max (duration)',
    policy: rule('spec.liveform.tokens.expiration.after', 'max: 1d'),
    fires: ['status: TEST', 'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 1d1s } } }'],
    at: [10, 81],
    path: 'spec.liveform.tokens.expiration.after',
    quiet: ['status: TEST', 'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 24h } } }'],
  },
  {
    name: 'min (an authentication option)',
    policy: rule('spec.authMethods.idDocument.userPolicy.ageLimit', 'min: 19'),
    fires: ['status: TEST', 'authMethods: { idDocument: { enabled: true, userPolicy: { ageLimit: 18 } } }'],
    at: [9, 71],
    path: 'spec.authMethods.idDocument.userPolicy.ageLimit',
    quiet: ['status: TEST', 'authMethods: { idDocument: { enabled: true, userPolicy: { ageLimit: 19 } } }'],
  },
  {
    name: 'when.region',
    policy: rule('spec.liveform.privateMode', 'equals: true', '{ region: [eu] }'),
    fires: ['status: TEST'],
    at: [6, 11],
    path: 'spec.liveform.privateMode',
    quiet: ['status: TEST'],
    quietMeta: ['region: us'],
  },
];

describe('policy conditions', () => {
  for (const c of cases) {
    it(`${c.name}: fires at its position, and not on its neighbour`, async () => {
      const fired = await errorsOf(c.policy, c.fires, c.firesMeta);
      const name = c.name === 'requireRegion' ? 'policy.require-region' : 'policy.r';
      expect(fired).toEqual([{ rule: name, file: 'p.yaml', line: c.at[0], column: c.at[1], path: c.path }]);
      expect(await errorsOf(c.policy, c.quiet, c.quietMeta)).toEqual([]);
    });
  }

  it('a violation says what was found and what is allowed, and names the rule in argosctl.yaml', async () => {
    const dir = repo(
      [
        'rules:',
        '  - { name: short, description: keep tokens short-lived, setting: spec.liveform.tokens.expiration.after, max: 1d }',
      ],
      {
        'p.yaml': manifest('p', [
          'status: TEST',
          'liveform: { tokens: { preRegistration: true, expiration: { mode: time, after: 7d } } }',
        ]),
      },
    );
    const [d] = (await readManifests(dir)).diagnostics;
    expect(d).toMatchObject({
      severity: 'error',
      rule: 'policy.short',
      message: 'spec.liveform.tokens.expiration.after must be at most 1d; found 7d',
      allowed: 'spec.liveform.tokens.expiration.after: at most 1d',
      hint: 'rule policy.rules[0] in argosctl.yaml: keep tokens short-lived',
    });
  });

  it('evaluatePolicy is a pure function of the settings and the rules (no files): who passed, who not', () => {
    const rules = compilePolicy({
      apiVersion: 'argosctl/v1',
      kind: 'Organization',
      regions: { eu: {} },
      policy: {
        requireRegion: true,
        rules: [{ name: 'open-admins', when: { status: ['OPEN'] }, setting: 'spec.admins', nonEmpty: true }],
      },
    });
    const report = evaluatePolicy(
      [
        project('a', { region: 'eu', status: 'OPEN' }),
        project('b', { status: 'OPEN', admins: [admin('x@y.example')] }),
        project('c', { region: 'eu', status: 'TEST' }),
      ],
      rules,
    );
    expect(report.violations).toBe(2);
    expect(
      report.rules.map((r) => ({ rule: r.rule, passed: r.passed, violated: r.violated.map((v) => v.projectId) })),
    ).toEqual([
      { rule: 'policy.require-region', passed: ['a', 'c'], violated: ['b'] },
      { rule: 'policy.open-admins', passed: ['b'], violated: ['a'] },
    ]);
  });
});

describe('a bad policy block', () => {
  async function configProblems(policy: string[], head = CONFIG_HEAD) {
    const set = await readManifests(repo(policy, { 'p.yaml': manifest('p', ['status: TEST']) }, head));
    // p.yaml has no admins: a spec.admins rule would fire on it, were a broken policy evaluated at all
    expect(set.diagnostics.filter((d) => d.rule.startsWith('policy.'))).toEqual([]);
    return set.diagnostics
      .filter((d) => d.file.endsWith('argosctl.yaml'))
      .map((d) => ({
        rule: d.rule,
        file: d.file.endsWith('argosctl.yaml'),
        at: `${d.line}:${d.column}`,
        message: d.message,
        allowed: d.allowed,
      }));
  }
  const one = (line: string) => ['rules:', `  - ${line}`];

  it('is reported at argosctl.yaml line and column with what is allowed, and no project is judged by it', async () => {
    // Each: the policy lines, the text the problem points at (its first occurrence), what it says, what it allows.
    const bad: [string[], string, RegExp, RegExp][] = [
      [
        one('{ name: a, setting: spec.security.privacyProtecton, equals: true }'),
        'spec.security.privacyProtecton',
        /"spec\.security\.privacyProtecton" is not a setting a policy can check \(did you mean spec\.security\.privacyProtection\?\)/,
        /manifest path/,
      ],
      [
        one('{ name: a, setting: spec.admins, nonEmpty: true, max: 3 }'),
        '3',
        /states 2 conditions \(nonEmpty, max\)/,
        /exactly one condition/,
      ],
      [
        one('{ name: a, setting: spec.admins }'),
        '{',
        /states no condition/,
        /exactly one of required, equals, oneOf, nonEmpty, max, min/,
      ],
      [
        one('{ name: a, setting: spec.security.privacyProtection, required: true }'),
        'true',
        /always has a value .* required cannot fail/,
        /for this setting: equals, oneOf/,
      ],
      [
        one('{ name: a, setting: spec.encryption.methods, oneOf: [GCM, CBC] }'),
        'CBC',
        /can never be "CBC"/,
        /one of ECB, GCM/,
      ],
      [
        one('{ name: a, setting: spec.security.privacyProtection, max: 3 }'),
        '3',
        /is a boolean, which max does not apply to/,
        /equals, oneOf/,
      ],
      [
        one('{ name: a, setting: spec.liveform.tokens.expiration.after, max: 3 }'),
        '3',
        /max of .* is "3", not a duration/,
        /a duration such as/,
      ],
      [
        one('{ name: a, setting: spec.admins, nonEmpty: true, when: { region: [mars] } }'),
        'mars',
        /region "mars" is not declared/,
        /one of: eu, us/,
      ],
      [
        [
          'rules:',
          '  - { name: a, setting: spec.admins, nonEmpty: true }',
          '  - { name: a, setting: spec.encryption.methods, oneOf: [GCM] }',
        ],
        'a, setting: spec.encryption',
        /"a" is used twice/,
        /each name once/,
      ],
      [
        one('{ name: require-region, setting: spec.admins, nonEmpty: true }'),
        'require-region',
        /taken by requireRegion/,
        /another name/,
      ],
    ];
    for (const [policy, token, message, allowed] of bad) {
      const written = policy.map((l) => `  ${l}`); // as repo() writes them under policy:
      const line = written.findIndex((l) => l.includes(token));
      const at = `${CONFIG_HEAD.length + 2 + line}:${written[line].indexOf(token) + 1}`;
      expect(await configProblems(policy), policy.join(' ')).toEqual([
        {
          rule: 'config.policy',
          file: true,
          at,
          message: expect.stringMatching(message),
          allowed: expect.stringMatching(allowed),
        },
      ]);
    }
    expect(await configProblems(['requireRegion: true'], ['apiVersion: argosctl/v1', 'kind: Organization'])).toEqual([
      expect.objectContaining({
        rule: 'config.policy',
        at: '4:18',
        message: expect.stringMatching(/declares no regions/),
      }),
    ]);
  });

  it('a schema problem (unknown key, a name with markup or ANSI) names its place, the value escaped', async () => {
    const problems = await configProblems(one('{ name: "<b>x</b>\\e[31m", setting: spec.admins, nonEmpty: true }'));
    expect(problems).toEqual([
      expect.objectContaining({
        file: true,
        at: '8:15',
        rule: 'schema.pattern',
        allowed: 'lowercase letters, digits and dashes, starting with a letter (at most 63)',
      }),
    ]);
    expect(problems[0].message).not.toMatch(/\u001b/);
    expect((await configProblems(['requireRegon: true']))[0]).toMatchObject({ file: true, at: '7:3' });
  });
});

describe('argosctl policy test', () => {
  const POLICY = [
    'requireRegion: true',
    'rules:',
    '  - { name: open-api-whitelist, description: OPEN projects take API calls only from our servers, when: { status: [OPEN] }, setting: spec.security.ipWhitelist.api, nonEmpty: true }',
    '  - { name: gcm-only, setting: spec.encryption.methods, oneOf: [GCM] }',
  ];
  const files = {
    'a.yaml': manifest('a', ['status: OPEN', 'security: { ipWhitelist: { api: [203.0.113.7] } }']),
    'b.yaml': manifest('b', ['status: OPEN']),
    'c.yaml': manifest('c', ['status: TEST'], []),
  };

  it('text: per rule, the projects that met it and those that violated it (with where); exit 1', async () => {
    const r = await run(['policy', 'test', '--dir', '.'], { cwd: repo(POLICY, files) });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        '✗ policy.require-region: metadata.region must be set',
        '    every project names its region',
        '    met by 2: a, b',
        '    violated by 1:',
        '      c (c.yaml:4:3): found not set',
        '✗ policy.open-api-whitelist: spec.security.ipWhitelist.api must not be empty for projects in status OPEN',
        '    OPEN projects take API calls only from our servers',
        '    met by 1: a',
        '    violated by 1:',
        '      b (b.yaml:9:11): found an empty list',
        '✓ policy.gcm-only: spec.encryption.methods must be "GCM"',
        '    met by 3: a, b, c',
        '',
        '✗ 3 rule(s) over 3 project(s): 2 violation(s).',
        '',
      ].join('\n'),
    );
  });

  it('json: formatVersion, each rule with passed and violated; exit 0 when all pass', async () => {
    const r = await run(['policy', 'test', '--dir', '.', '--format', 'json'], { cwd: repo(POLICY, files) });
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)[0]).toBe('formatVersion');
    expect(doc).toMatchObject({ formatVersion: 1, projects: 3, violations: 2, diagnostics: [] });
    expect(doc.rules[1]).toEqual({
      rule: 'policy.open-api-whitelist',
      source: 'policy.rules[0]',
      description: 'OPEN projects take API calls only from our servers',
      setting: 'spec.security.ipWhitelist.api',
      when: { status: ['OPEN'] },
      requirement: 'spec.security.ipWhitelist.api must not be empty for projects in status OPEN',
      passed: ['a'],
      violated: [
        {
          projectId: 'b',
          file: 'b.yaml',
          line: 9,
          column: 11,
          path: 'spec.security.ipWhitelist.api',
          found: 'an empty list',
          message: 'spec.security.ipWhitelist.api must not be empty for projects in status OPEN; found an empty list',
          allowed: 'spec.security.ipWhitelist.api: at least one entry',
        },
      ],
    });
    const ok = await run(['policy', 'test', '--dir', '.'], {
      cwd: repo(POLICY.slice(1), { 'a.yaml': files['a.yaml'] }),
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/✓ 2 rule\(s\) over 1 project\(s\): 0 violation\(s\)\.\n$/);
  });

  it('without a policy it says so; with other problems it lists them and exits 1', async () => {
    const none = await run(['policy', 'test', '--dir', '.'], {
      cwd: repo([], { 'a.yaml': files['a.yaml'] }, [...CONFIG_HEAD]),
    });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/sets no policy/);
    const broken = await run(['policy', 'test', '--dir', '.'], {
      cwd: repo(POLICY, { ...files, 'd.yaml': manifest('d', ['status: LIVE']) }),
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /d\.yaml:9:\d+: error: .*\n[\s\S]*1 other problem\(s\): the projects they concern were not tested/,
    );
  });
});

describe('validate and plan honour the policy', () => {
  const dir = () =>
    repo(rule('spec.security.privacyProtection', 'equals: true'), { 'p.yaml': manifest('p', ['status: TEST']) });

  it('validate exits 1 naming the rule; plan refuses with exit 3 (a policy block, per the contract)', async () => {
    const validate = await run(['validate', '--dir', '.'], { cwd: dir() });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(
      /^p\.yaml:8:3: error: spec\.security\.privacyProtection must be true; found false \[spec\.security\.privacyProtection\] \(policy\.r\)$/m,
    );
    const plan = await run(['plan', '--dir', '.', '--database-url', 'memory:'], { cwd: dir() });
    expect(plan.code).toBe(3);
    expect(plan.stderr).toMatch(
      /\(policy\.r\)[\s\S]*blocked by the policy in argosctl\.yaml; nothing was planned or written/,
    );
  });
});

describe('hostile text in argosctl.yaml', () => {
  it('a description and a value with ANSI and markup are inert in text, JSON, annotations, PR comment', async () => {
    const policy = [
      'rules:',
      '  - name: hostile',
      '    description: "<img src=x onerror=alert(1)> \\e[2J\\e]8;;http://evil\\a | ::error::x"',
      '    setting: metadata.description',
      '    equals: "<script>\\e[31m"',
    ];
    const dir = repo(policy, { 'p.yaml': manifest('p', ['status: TEST'], ['region: eu', 'description: plain']) });
    const text = await run(['policy', 'test', '--dir', '.'], { cwd: dir });
    expect(text.code).toBe(1);
    for (const out of [text.stdout, text.stderr]) expect(out).not.toMatch(/\u001b|\u0007/);
    expect(text.stdout).toMatch(/\\x1b\[2J/);
    const validate = await run(['validate', '--dir', '.'], { cwd: dir });
    expect(validate.stderr).not.toMatch(/\u001b|\u0007/);
    const github = await run(['validate', '--dir', '.', '--format', 'github'], { cwd: dir });
    expect(github.stdout).toMatch(/^::error file=p\.yaml,line=7,col=16,title=argosctl policy\.hostile::/m);
    expect(github.stdout).not.toMatch(/^::error::x/m); // a workflow command counts only at the start of a line
    expect(github.stdout).not.toMatch(/\u001b|\u0007/);
    const md = diagnosticsMarkdown((await readManifests(dir)).diagnostics);
    expect(md).not.toMatch(/<img|<script>|\u001b/);
    expect(md).toMatch(/&lt;script&gt;/);
    const json = JSON.parse((await run(['policy', 'test', '--dir', '.', '--format', 'json'], { cwd: dir })).stdout);
    // JSON carries the text as it is, for tools
    expect(json.rules[0].description).toContain('<img src=x onerror=alert(1)>');
  });
});
