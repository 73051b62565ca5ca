// The manifest folder comes from an untrusted pull request. Links, devices, FIFOs, folders and the
// files a manifest names must never be read outside the manifest root, never hang, never leak
// into output; hostile values are clean diagnostics, never a database error or a stack trace.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/manifest/diagnostic.js';
import { MAX_COLLECTION_ITEMS } from '../../src/manifest/check/hostile-values.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { readInsideRoot } from '../../src/manifest/read/safe-read.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

const CANARY = 'CANARY_7f3e9b1d_DO_NOT_PRINT';
/** A safety net only, generous so a loaded machine cannot trip it: each case takes well under a second. */
const HANG = { timeoutMs: 60_000 };

const project = (id: string, extra = '') =>
  `apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: ${id}\n  name: ${id}\nspec:\n  status: TEST\n  authMethods: { idDocument: { enabled: true } }\n  encryption: { method: GCM }\n${extra}`;

/** cwd holds projects/ (the manifest root) with one valid manifest; anything else in cwd is outside the root. */
function workspace(): { cwd: string; root: string } {
  const cwd = tempDir();
  const root = path.join(cwd, 'projects');
  mkdirSync(root);
  writeFileSync(path.join(root, 'ok.yaml'), project('ok'));
  return { cwd, root };
}

function expectNoCanary(r: CliResult): void {
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

async function problems(root: string): Promise<Diagnostic[]> {
  const set = await readManifests(root);
  expect(JSON.stringify(set)).not.toContain(CANARY);
  return set.diagnostics;
}

const publicPem = () =>
  String(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
const withKey = (file: string) =>
  `  security:\n    secureTransmission: { enabled: true, publicKey: ${JSON.stringify(file)} }\n`;

describe('manifests are read only inside the root, bounded, and never echoed from elsewhere', () => {
  it('a link to a file outside the root holding a canary: exit 1 naming the link, canary in no output', async () => {
    const { cwd, root } = workspace();
    writeFileSync(path.join(cwd, 'secrets.yaml'), `token: ${CANARY}\nnot yaml: [\n`);
    symlinkSync('../secrets.yaml', path.join(root, 'leak.yaml'));
    const r = await runCli(['validate', '--dir', 'projects'], { cwd, ...HANG });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('projects/leak.yaml is a link that leads outside the manifest root');
    expect(r.stderr).toContain('(files.outside-root)');
    expectNoCanary(r);
  });

  it('a link to /proc/self/environ with a canary variable set: validate and plan --format json exit 1, canary in no output', async () => {
    const { cwd, root } = workspace();
    symlinkSync('/proc/self/environ', path.join(root, 'environ.yaml'));
    const env = { LEAK_CANARY: CANARY };
    const validate = await runCli(['validate', '--dir', 'projects'], { cwd, env, ...HANG });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('projects/environ.yaml is a link that leads outside the manifest root');
    expectNoCanary(validate);

    const plan = await runCli(['plan', '--dir', 'projects', '--format', 'json', '--database-url', 'memory:'], {
      cwd,
      env,
      ...HANG,
    });
    expect(plan.code).toBe(1);
    expectNoCanary(plan);
    const doc = JSON.parse(plan.stdout) as { diagnostics: Diagnostic[] };
    expect(doc.diagnostics).toMatchObject([
      { rule: 'files.outside-root', file: 'projects/environ.yaml', line: 1, column: 1 },
    ]);
  });

  it('a link to /dev/zero: exit 1 at once, nothing read', async () => {
    const { cwd, root } = workspace();
    symlinkSync('/dev/zero', path.join(root, 'zero.yaml'));
    const r = await runCli(['validate', '--dir', 'projects', '--format', 'json'], { cwd, ...HANG });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toMatchObject([
      { rule: 'files.outside-root', file: 'projects/zero.yaml' },
    ]);
  });

  it('a FIFO named *.yaml, and a link to one inside the root: exit 1 without blocking', async () => {
    const { cwd, root } = workspace();
    execFileSync('mkfifo', [path.join(root, 'pipe.yaml'), path.join(cwd, 'projects', 'pipe')]);
    symlinkSync('pipe', path.join(root, 'to-pipe.yaml'));
    const r = await runCli(['validate', '--dir', 'projects'], { cwd, ...HANG });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('projects/pipe.yaml is a FIFO (named pipe), not a regular file');
    expect(r.stderr).toContain('projects/to-pipe.yaml is a link to a FIFO (named pipe), not a regular file');
    expectNoCanary(r);
  });

  it('a link to a folder (inside or outside the root) is one clear problem, not a stack trace', async () => {
    const { cwd, root } = workspace();
    mkdirSync(path.join(root, 'team'));
    writeFileSync(path.join(root, 'team', 'p.yaml'), project('team'));
    symlinkSync('team', path.join(root, 'team-link.yaml'));
    symlinkSync('team', path.join(root, 'shared')); // not named *.yaml: reported, because it is never followed
    symlinkSync(cwd, path.join(root, 'up.yaml'));
    const found = await problems(root);
    expect(found.map((d) => [d.rule, path.basename(d.file)])).toEqual([
      ['files.not-regular', 'shared'],
      ['files.not-regular', 'team-link.yaml'],
      ['files.outside-root', 'up.yaml'],
    ]);
    expect(found[1].message).toMatch(/team-link\.yaml is a link to a folder, not a regular file$/);
    const r = await runCli(['validate', '--dir', 'projects', '--format', 'json'], { cwd, ...HANG });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toHaveLength(3);
  });

  it('a dangling link is a problem naming the link', async () => {
    const { root } = workspace();
    symlinkSync('nowhere.yaml', path.join(root, 'dangling.yaml'));
    expect(await problems(root)).toMatchObject([
      { rule: 'files.dangling-link', message: expect.stringMatching(/dangling\.yaml is a link to nothing/) },
    ]);
  });

  it('links that stay inside the root and end at a regular file are followed; dot-folders are never walked', async () => {
    const { root } = workspace();
    mkdirSync(path.join(root, 'team'));
    writeFileSync(path.join(root, 'team', 'real.yaml'), project('linked'));
    symlinkSync('team/real.yaml', path.join(root, 'alias.yaml'));
    symlinkSync('../team/real.yaml', path.join(root, 'team', 'twice.yml')); // same id twice: proves the link was read
    mkdirSync(path.join(root, '.git'));
    writeFileSync(path.join(root, '.git', 'config.yaml'), `[core]\n\ttoken = ${CANARY}\n`);
    const set = await readManifests(root);
    expect(set.diagnostics.map((d) => d.rule)).toEqual(['project.duplicate-id', 'project.duplicate-id']);
    expect(set.projects.map((p) => p.settings.id).sort()).toEqual(['linked', 'ok']);
    expect(set.fileCount).toBe(4);
  });

  it('the reader caps what it reads whatever stat says, and refuses devices', () => {
    // /proc files report size 0 and "regular": refused as kernel pseudo-files (the root here is /proc/self itself).
    const environ = readInsideRoot(realpathSync('/proc/self'), '/proc/self/environ', 8);
    expect(environ).toEqual({
      ok: false,
      rule: 'files.not-regular',
      problem: 'is a kernel pseudo-file (/proc, /sys), not a regular file',
    });
    expect(readInsideRoot('/dev', '/dev/zero', 1024)).toMatchObject({
      ok: false,
      rule: 'files.not-regular',
      problem: 'is a device, not a regular file',
    });
  });
});

describe('publicKey: relative to the manifest, inside the root, a small regular file, never echoed', () => {
  const keyProblem = async (root: string, written: string) => {
    writeFileSync(path.join(root, 'team', 'p.yaml'), project('p', withKey(written)));
    const found = await problems(root);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      file: expect.stringMatching(/team\/p\.yaml$/),
      line: 11,
      path: 'spec.security.secureTransmission.publicKey',
    });
    expect(found[0].message).toContain(`public key file ${JSON.stringify(written)}`);
    return found[0];
  };
  const setup = () => {
    const ws = workspace();
    mkdirSync(path.join(ws.root, 'team'));
    return ws;
  };

  it('publicKey: /etc/passwd is refused as absolute, its contents never shown', async () => {
    const { root } = setup();
    const d = await keyProblem(root, '/etc/passwd');
    expect(d.message).toMatch(/is an absolute path$/);
    expect(JSON.stringify(d)).not.toMatch(/root:/);
  });

  it('publicKey: ../../outside.pem (a valid key with a canary, outside the root) is refused unread', async () => {
    const { cwd, root } = setup();
    writeFileSync(path.join(cwd, 'outside.pem'), `${publicPem()}${CANARY}\n`);
    expect((await keyProblem(root, '../../outside.pem')).message).toMatch(/is outside the manifest root$/);
  });

  it('publicKey: /dev/zero, a link to it, a FIFO and an oversized file are refused without reading', async () => {
    const { root } = setup();
    mkdirSync(path.join(root, 'keys'));
    symlinkSync('/dev/zero', path.join(root, 'keys', 'zero.pem'));
    execFileSync('mkfifo', [path.join(root, 'keys', 'pipe.pem')]);
    writeFileSync(path.join(root, 'keys', 'big.pem'), `${publicPem()}${'#'.repeat(20_000)}\n`);
    expect((await keyProblem(root, '/dev/zero')).message).toMatch(/is an absolute path$/);
    expect((await keyProblem(root, '../keys/zero.pem')).message).toMatch(
      /is a link that leads outside the manifest root$/,
    );
    expect((await keyProblem(root, '../keys/pipe.pem')).message).toMatch(
      /is a FIFO \(named pipe\), not a regular file$/,
    );
    const big = await keyProblem(root, '../keys/big.pem');
    expect(big.message).toMatch(/is [\d,]+ bytes$/);
    expect(big.allowed).toMatch(/at most 16384 bytes/);
  });

  it('a key inside the root, also through a link that stays inside, is read once and used', async () => {
    const { root } = setup();
    mkdirSync(path.join(root, 'keys'));
    const pem = publicPem();
    writeFileSync(path.join(root, 'keys', 'k.pem'), pem);
    symlinkSync('k.pem', path.join(root, 'keys', 'current.pem'));
    writeFileSync(path.join(root, 'team', 'p.yaml'), project('p', withKey('../keys/current.pem')));
    const set = await readManifests(root);
    expect(set.diagnostics).toEqual([]);
    expect(set.projects.find((p) => p.settings.id === 'p')?.settings.secureTransmissionPublicKey).toBe(pem.trim());
  });
});

describe('messages quote manifest values only as short escaped excerpts', () => {
  it('a long or multi-line wrong value shows its type and length, not the value', async () => {
    const { root } = workspace();
    const long = `${CANARY}${'x'.repeat(40)}`;
    writeFileSync(
      path.join(root, 'p.yaml'),
      project('p').replace('status: TEST', `status: ${long}`) + `  liveform: { privateMode: "line one\\n${CANARY}" }\n`,
    );
    const found = await problems(root);
    expect(found.map((d) => [d.rule, d.message])).toEqual([
      ['schema.enum', `a string of ${long.length} characters is not allowed here`],
      ['schema.type', `wrong type: a string of ${9 + CANARY.length} characters on 2 lines`],
    ]);
  });

  it('a short value is quoted with control and direction-changing characters escaped', async () => {
    const { root } = workspace();
    writeFileSync(path.join(root, 'p.yaml'), project('p').replace('status: TEST', 'status: "A\\e[31mB\\u202E\\x9b"'));
    expect((await problems(root))[0].message).toBe('string "A\\u001b[31mB\\u202e\\u009b" is not allowed here');
  });

  it('YAML syntax errors quote at most a short excerpt of the source', async () => {
    const { root } = workspace();
    writeFileSync(path.join(root, 'p.yaml'), `apiVersion: *${'A'.repeat(60)}${CANARY}\n`);
    const [d] = await problems(root);
    expect(d.rule).toBe('yaml.syntax');
    expect(d.message).toBe(
      `not valid YAML: Unresolved alias (the anchor must be set before the alias): ${'A'.repeat(40)}…`,
    );
  });
});

describe('values that would crash or reach the database are validation errors with their position', () => {
  const cases: {
    name: string;
    extra?: string;
    replace?: [string, string];
    file?: string;
    rule: string;
    line: number;
    column: number;
    message: RegExp;
  }[] = [
    {
      name: 'NUL in a string (escaped)',
      replace: ['name: p', 'name: "a\\0b"'],
      rule: 'value.unsafe-text',
      line: 5,
      column: 9,
      message: /NUL character/,
    },
    {
      name: 'NUL in a string (raw byte)',
      replace: ['name: p', 'name: a\u0000b'],
      rule: 'value.unsafe-text',
      line: 5,
      column: 9,
      message: /NUL character/,
    },
    {
      name: 'a lone surrogate',
      replace: ['name: p', 'name: "x\\uD800y"'],
      rule: 'value.unsafe-text',
      line: 5,
      column: 9,
      message: /lone UTF-16 surrogate/,
    },
    {
      name: 'NUL in a key',
      extra: '  labels: { "a\\0": x }\n',
      rule: 'value.unsafe-text',
      line: 10,
      column: 13,
      message: /key contains a NUL/,
    },
    {
      name: 'label key constructor',
      replace: ['  name: p\n', '  name: p\n  labels: { constructor: x }\n'],
      rule: 'value.reserved-key',
      line: 6,
      column: 13,
      message: /"constructor" cannot be used/,
    },
    {
      name: 'label key __proto__',
      replace: ['  name: p\n', '  name: p\n  labels:\n    __proto__: x\n'],
      rule: 'value.reserved-key',
      line: 7,
      column: 5,
      message: /"__proto__" cannot be used/,
    },
    {
      name: 'region constructor (not declared: not Object.prototype.constructor)',
      replace: ['  name: p\n', '  name: p\n  region: constructor\n'],
      rule: 'region.unknown',
      line: 6,
      column: 11,
      message: /region "constructor" is not declared/,
    },
    {
      name: 'region prototype declared in argosctl.yaml',
      file: 'argosctl.yaml',
      rule: 'value.reserved-key',
      line: 4,
      column: 3,
      message: /"prototype" cannot be used/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { root } = workspace();
      const text = c.replace ? project('p').replace(c.replace[0], c.replace[1]) : project('p', c.extra ?? '');
      writeFileSync(path.join(root, 'p.yaml'), text);
      if (c.file)
        writeFileSync(
          path.join(root, c.file),
          'apiVersion: argosctl/v1\nkind: Organization\nregions:\n  prototype: { managers: [a@b.example] }\n',
        );
      const set = await readManifests(root);
      expect(set.diagnostics).toHaveLength(1);
      expect(set.diagnostics[0]).toMatchObject({
        rule: c.rule,
        file: expect.stringMatching(new RegExp(`${c.file ?? 'p.yaml'}$`)),
        line: c.line,
        column: c.column,
      });
      expect(set.diagnostics[0].message).toMatch(c.message);
      if (!c.file) expect(set.projects.map((p) => p.settings.id)).toEqual(['ok']);
    });
  }

  it('apply on a manifest with NUL stops at validation (exit 1, file:line:column), never at the database', async () => {
    const { cwd, root } = workspace();
    writeFileSync(path.join(root, 'p.yaml'), project('p').replace('name: p', 'name: "a\\0b"'));
    const r = await runCli(['apply', '--auto-approve', '--dir', 'projects', '--database-url', 'memory:'], {
      cwd,
      ...HANG,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('projects/p.yaml:5:9: error: value contains a NUL character');
    expect(r.stderr).not.toMatch(/database error|internal error/);
  });
});

describe('huge input is one clear line, not a stack trace or minutes of work', () => {
  it(`a whitelist of 130,000 entries: one problem (at most ${MAX_COLLECTION_ITEMS} entries), text and JSON`, async () => {
    const { cwd, root } = workspace();
    // 8 bytes an entry: just under the 1 MiB file limit, so only the entry bound can stop it.
    const list = Array(130_000).fill('1.1.1.1').join(',');
    writeFileSync(path.join(root, 'p.yaml'), project('p', `  security:\n    ipWhitelist:\n      api: [${list}]\n`));
    const [text, json] = await Promise.all([
      runCli(['validate', '--dir', 'projects'], { cwd, ...HANG }),
      runCli(['validate', '--dir', 'projects', '--format', 'json'], { cwd, ...HANG }),
    ]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(
      'projects/p.yaml:12:12: error: list has 130000 entries [spec.security.ipWhitelist.api] (value.too-many-items)',
    );
    expect(text.stderr.split('\n').filter((l) => l.includes('error'))).toHaveLength(1);
    expectNoCanary(text);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).diagnostics).toMatchObject([
      { rule: 'value.too-many-items', allowed: /at most 1000 entries per list/ },
    ]);
  });
});
