// End to end in a temp folder, on the embedded default database: the CLI's entry point in process
// for most behaviour; the real binary for --help/--version, one apply and plan round trip, and the
// second-process lock (which needs another pid).
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { createPGlite } from '../helpers/pglite.js';

async function behindTheBack(cwd: string, statement: string): Promise<void> {
  const db = await createPGlite(path.join(cwd, '.argos/db'));
  try {
    await db.exec(statement);
  } finally {
    await db.close();
  }
}

describe('argosctl end to end on the embedded database', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir('examples/bank');
  });

  it('validate accepts the example and writes nothing', async () => {
    const r = await runCliInProcess(['validate'], { cwd });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/2 project\(s\) in 1 manifest file\(s\) are valid/);
    expect(existsSync(path.join(cwd, '.argos'))).toBe(false);
  });

  it('invalid manifests: exit 1, every problem named with file:line:column, nothing written', async () => {
    const bad = tempDir();
    writeFileSync(
      path.join(bad, 'p.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: bad/id, name: x }\nspec:\n  status: LIVE\n',
    );
    for (const command of ['validate', 'plan', 'apply']) {
      const r = await runCliInProcess(
        [command, '--dir', '.', '--auto-approve'].filter((a) => command === 'apply' || a !== '--auto-approve'),
        { cwd: bad },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/p\.yaml:3:\d+: error: .*bad\/id/);
      expect(r.stderr).toMatch(/p\.yaml:5:11: error: string "LIVE" is not allowed here/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(bad, '.argos'))).toBe(false);
  });

  it('validate --format github prints Actions annotations', async () => {
    const bad = tempDir();
    writeFileSync(
      path.join(bad, 'p.yaml'),
      'apiVersion: argosctl/v1\nkind: Project\nmetadata: { id: ok, name: x }\nspec:\n  status: LIVE\n',
    );
    const r = await runCliInProcess(['validate', '--dir', '.', '--format', 'github'], { cwd: bad });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=p\.yaml,line=5,col=11,title=argosctl schema\.enum::spec\.status: string "LIVE" is not allowed here/m,
    );
  });

  it('plan --detailed-exitcode exits 2 with changes and writes nothing to the database', async () => {
    const r = await runCliInProcess(['plan', '--detailed-exitcode'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/\+ project kbank-onboarding will be created/);
    expect(r.stdout).toMatch(/Plan: 2 to create/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const again = await runCliInProcess(['plan', '--format', 'json'], { cwd });
    expect(JSON.parse(again.stdout).summary.create).toBe(2);
  });

  it('apply refuses to run unattended without --auto-approve', async () => {
    const r = await runCliInProcess(['apply'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pass --auto-approve/);
  });

  it('apply --auto-approve creates everything; the next plan exits 0', async () => {
    const r = await runCli(['apply', '--auto-approve'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Applied: 2 to create/);
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/No changes/);
  });

  it("a change made behind the tool's back shows in the plan", async () => {
    await behindTheBack(
      cwd,
      `update projects set status = 'TRIAL' where id = 'kbank-onboarding'; delete from admins where email = 'security@kbank.example'`,
    );
    const r = await runCliInProcess(['plan', '--detailed-exitcode'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/~ spec\.status: "TRIAL" → "TEST"/);
    expect(r.stdout).toMatch(/\+ spec\.admins\[security@kbank\.example\]/);
    const json = JSON.parse((await runCliInProcess(['plan', '--format', 'json'], { cwd })).stdout);
    const added = json.changes.find((c: { action: string }) => c.action === 'add');
    const manifestLines = readFileSync(path.join(cwd, 'projects/kbank-onboarding.yaml'), 'utf8').split('\n');
    expect(manifestLines[added.source.line - 1]).toContain('- email: security@kbank.example'); // the item itself, not the list
    const md = await runCliInProcess(['plan', '--format', 'markdown'], { cwd });
    expect(md.stdout).toMatch(/<details><summary><code>kbank-onboarding<\/code>: 2 change\(s\)<\/summary>/);
  });

  it('a saved plan applies once; after that, or after the database changed, it is refused with exit 3', async () => {
    expect((await runCliInProcess(['plan', '--out', 'p1.json'], { cwd })).code).toBe(0);
    expect((await runCliInProcess(['plan', '--out', 'p2.json'], { cwd })).code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(cwd, 'p1.json'), 'utf8'));
    expect(saved).toMatchObject({ formatVersion: 1, manifestDir: 'projects' });
    const first = await runCliInProcess(['apply', 'p1.json'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const twice = await runCliInProcess(['apply', 'p1.json'], { cwd });
    expect(twice.code).toBe(3);
    const stale = await runCliInProcess(['apply', 'p2.json'], { cwd });
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/stale/);
  });

  it('a saved plan is refused when the manifests changed since', async () => {
    expect((await runCliInProcess(['plan', '--out', 'p3.json'], { cwd })).code).toBe(0);
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: KBank production', 'name: KBank prod'));
    const r = await runCliInProcess(['apply', 'p3.json'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/manifests changed/);
  });

  it('a plan saved against an empty database is stale once anything was applied', async () => {
    const fresh = tempDir('examples/startup');
    expect((await runCliInProcess(['plan', '--out', 'empty.json'], { cwd: fresh })).code).toBe(0);
    expect((await runCliInProcess(['plan', '--out', 'empty-too.json'], { cwd: fresh })).code).toBe(0);
    expect((await runCliInProcess(['apply', 'empty.json'], { cwd: fresh })).code).toBe(0);
    const second = await runCliInProcess(['apply', 'empty-too.json'], { cwd: fresh });
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/stale/);
  });

  it('errors are one clear line, without a stack trace', async () => {
    const r = await runCliInProcess(['plan', '--database-url', 'mysql://x'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: the database URL from --database-url is refused: <unparseable database URL>: not a supported kind of database URL.*\n {2}hint: use postgres/,
    );
    const unknown = await runCliInProcess(['plan', '--frobnicate'], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('with --format json a refusal is still one JSON document on stdout', async () => {
    const r = await runCliInProcess(['apply', 'missing-plan.json', '--format', 'json'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      formatVersion: 1,
      kind: 'error',
      error: {
        message: 'plan file "missing-plan.json" does not exist',
        hint: 'pass a file written by argosctl plan --out',
        exitCode: 1,
      },
    });
  });

  it('--help and --version exit 0', async () => {
    expect(await runCli(['--version'], { cwd })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/),
    });
    const help = await runCli(['apply', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--auto-approve/);
  });

  it('a second process on the same embedded folder gets a clear error, not a corrupted database', async () => {
    writeFileSync(
      path.join(cwd, '.argos/db/.argosctl.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' }),
    );
    const r = await runCli(['plan'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/in use by another argosctl process \(pid \d+/);
    writeFileSync(
      path.join(cwd, '.argos/db/.argosctl.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'then' }),
    );
    const takeover = await runCli(['plan'], { cwd });
    expect(takeover.code, takeover.stderr).toBe(0);
  });
});
