// `argosctl dashboard` as users run it: refused without a safe way to sign in (in process), and one
// spawned process that prints its address for --port 0, signs a proxy-named admin in, serves the
// overview, and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { useCliDatabase } from '../helpers/databases.js';
import { manifest } from '../helpers/service.js';

describe('argosctl dashboard', () => {
  let cwd: string;
  // PostgreSQL when reachable (cheap to open); else the embedded default beside argosctl.yaml
  const database = useCliDatabase();
  const cli = (args: string[]) => runCliInProcess(args, { cwd, env: database.env });

  beforeAll(async () => {
    cwd = tempDir();
    mkdirSync(path.join(cwd, 'projects'));
    writeFileSync(
      path.join(cwd, 'argosctl.yaml'),
      'apiVersion: argosctl/v1\nkind: Organization\ndashboard:\n  auditors: ["@audit.example.com"]\n',
    );
    writeFileSync(
      path.join(cwd, 'projects/shop.yaml'),
      manifest('shop', '  admins:\n    - { email: ops@example.com, role: owner }\n')
        .replace('argosctl/v1\nkind: Project', 'argosctl/v2\nkind: Project')
        .replace('role: owner', 'role: Owner'),
    );
    const applied = await cli(['apply', '--auto-approve']);
    expect(applied.stdout).toMatch(/Applied: 1 to create/);
  });

  it('refuses to start with no way to sign in, a proxy header without --trust-proxy, or local login off loopback', async () => {
    const none = await cli(['dashboard', '--port', '0']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/the dashboard has no way to sign people in; refusing to start/);
    const untrusted = await cli(['dashboard', '--auth-proxy-header', 'x-forwarded-email']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/--auth-proxy-header needs --trust-proxy/);
    const wide = await cli(['dashboard', '--local-login', '--host', '0.0.0.0']);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/--local-login listens only on a loopback address, not 0\.0\.0\.0/);
    const badHeader = await cli(['dashboard', '--auth-proxy-header', 'x y', '--trust-proxy', '10.0.0.1']);
    expect(badHeader.stderr).toMatch(/is not a header name/);
  });

  it('with dashboard.oidc: refuses to start when the secret variable is unset or the issuer unreachable', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'argosctl.yaml'),
      'apiVersion: argosctl/v1\nkind: Organization\ndashboard:\n  oidc:\n    issuer: http://127.0.0.1:9/\n' +
        '    clientId: dash\n    clientSecret: env:DASH_OIDC_SECRET\n    redirectUrl: http://127.0.0.1:8081/auth/callback\n',
    );
    const run = (env: NodeJS.ProcessEnv) =>
      runCliInProcess(['dashboard', '--port', '0'], { cwd: dir, env: { ...database.env, ...env } });
    const unset = await run({});
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/dashboard\.oidc\.clientSecret names DASH_OIDC_SECRET, which is unset or empty/);
    const unreachable = await run({ DASH_OIDC_SECRET: 'a-secret-value' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot read the OpenID configuration of http:\/\/127\.0\.0\.1:9\//);
    expect(unreachable.stderr).not.toContain('a-secret-value');
  });

  it('refuses to start on an invalid argosctl.yaml, naming the file, line and column', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'argosctl.yaml'),
      'apiVersion: argosctl/v1\nkind: Organization\ndashboard:\n  auditors: ["<script>"]\n',
    );
    const bad = await runCliInProcess(['dashboard', '--local-login', '--port', '0'], { cwd: dir, env: database.env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/argosctl\.yaml:4:\d+: /);
    expect(bad.stderr).not.toContain('dashboard on');
  });

  it('--port 0: prints its address, signs in from the trusted proxy header, serves the overview, SIGTERM exits 0', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'dashboard', '--port', '0', '--auth-proxy-header', 'x-forwarded-email', '--trust-proxy', '127.0.0.1'],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...database.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`dashboard exited with ${code}: ${stderr}`)));
    });
    const page = await fetch(`${address}/`, { headers: { 'x-forwarded-email': 'ops@example.com' } });
    const text = await page.text();
    expect(page.status).toBe(200);
    expect(text).toContain('<a href="/projects/shop">shop</a>');
    const auditor = await fetch(`${address}/projects/shop`, {
      headers: { 'x-forwarded-email': 'a@audit.example.com' },
    });
    expect(await auditor.text()).toContain('auditor (read-only)');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/dashboard: stopped/);
  });

  it('admins logins shows the records the dashboard wrote: method, outcome and address', async () => {
    const text = await cli(['admins', 'logins', 'ops@example.com']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}127\.0\.0\.1 {2}proxy {2}success {2}node/m);
    const json = JSON.parse((await cli(['admins', 'logins', 'a@audit.example.com', '--format', 'json'])).stdout);
    expect(json.logins[0]).toMatchObject({ ip: '127.0.0.1', method: 'proxy', outcome: 'success', reason: null });
  });
});
