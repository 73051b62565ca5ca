// url build → url open through the CLI on postgres, for both methods; the key that opened a URL is
// named; an altered URL and a method the project does not accept are refused.
import { describe, expect, it } from 'vitest';
import { DATABASE_TARGETS, useFreshDatabase } from '../helpers/databases.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/cli.js';
import { applyManifests, manifest } from '../helpers/service.js';

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;
const project = (id: string, method: string) =>
  manifest(
    id,
    `  encryption:\n    method: ${method}\n    keys:\n      - { name: old, status: active }\n      - { name: new, status: active }\n`,
  );

describe.skipIf(!postgres.available)('url build and url open on postgres', () => {
  const fresh = useFreshDatabase(postgres);
  const dir = tempDir();
  const cli = (args: string[]) => runCliInProcess([...args, '--database-url', fresh.url], { cwd: dir });

  it('round-trips on GCM and ECB, naming the key; hostile values come back escaped in text', async () => {
    await applyManifests(fresh.database, { g: project('gcm-proj', 'GCM'), e: project('ecb-proj', 'ECB') }, dir);
    for (const [id, method] of [
      ['gcm-proj', 'GCM'],
      ['ecb-proj', 'ECB'],
    ]) {
      const built = await cli([
        'url',
        'build',
        id,
        '--param',
        'token=tok-0001',
        '--param',
        'cf1=\u001b[31mred',
        '--key',
        'old',
        '--lang',
        'ko',
      ]);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stderr).toMatch(new RegExp(`${method} with key old \\(rotation 1, key id [0-9a-f]{12}\\)`));
      const url = built.stdout.trim();
      expect(url).toMatch(
        new RegExp(
          `^https://form\\.argosidentity\\.com/\\?pid=${id}&encrypted=${method.toLowerCase()}\\.[0-9a-f]{12}\\.[A-Za-z0-9_-]+&lang=ko$`,
        ),
      );
      const opened = await cli(['url', 'open', url]);
      expect(opened.code, opened.stderr).toBe(0);
      expect(opened.stdout).toMatch(
        new RegExp(`opened with key old \\(rotation 1, key id [0-9a-f]{12}, active\\), ${method}`),
      );
      expect(opened.stdout).toContain('token = tok-0001');
      expect(opened.stdout).toContain('lang = ko (plain)');
      expect(opened.stdout).not.toContain('\u001b');
      const json = JSON.parse((await cli(['url', 'open', url, '--format', 'json'])).stdout);
      expect(json).toMatchObject({
        project: id,
        method,
        key: { name: 'old', rotation: 1 },
        params: { token: 'tok-0001', cf1: '\u001b[31mred' },
      });
    }
  });

  it('an altered GCM URL is refused as encrypted_tampered; ECB on a GCM project is refused before any key is used', async () => {
    const url = (await cli(['url', 'build', 'gcm-proj', '--param', 'token=tok-0001'])).stdout.trim();
    const u = new URL(url);
    const [tag, kid, data] = u.searchParams.get('encrypted')!.split('.');
    const bytes = Buffer.from(data, 'base64url');
    bytes[20] ^= 1;
    u.searchParams.set('encrypted', `${tag}.${kid}.${bytes.toString('base64url')}`);
    const opened = await cli(['url', 'open', u.toString()]);
    expect(opened.code).toBe(1);
    expect(opened.stderr).toMatch(/\[encrypted_tampered\]: the GCM tag does not match/);
    const ecb = await cli(['url', 'build', 'gcm-proj', '--param', 'token=x', '--method', 'ECB']);
    expect(ecb.code).toBe(1);
    expect(ecb.stderr).toMatch(/does not accept ECB URLs/);
    expect((await cli(['url', 'build', 'gcm-proj', '--key', 'nope'])).stderr).toMatch(
      /"nope" is not an active encryption key[\s\S]*active keys: /,
    );
  });
});
