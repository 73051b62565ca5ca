// validate's cache of valid files: kept in the user's cache folder only, never trusted for a file
// that changed, ignored when corrupt, and never hiding a warning (it is recorded with its file).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureClock } from '../../src/manifest/read/file-signatures.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const ECB = `apiVersion: argosctl/v1
kind: Project
metadata: { id: ecb-project, name: ECB }
spec:
  status: TEST
  authMethods: { idDocument: { enabled: true } }
  encryption: { method: ECB }
`;

const realNow = signatureClock.now;

describe('validate cache', () => {
  let cwd: string;
  let cache: string;
  const validate = (...args: string[]) =>
    runCliInProcess(['validate', ...args], { cwd, env: { XDG_CACHE_HOME: cache } });

  beforeEach(() => {
    cwd = tempDir();
    cache = path.join(tempDir(), 'cache');
    cpSync(path.join(ROOT, 'examples/bank'), path.join(cwd, 'projects'), { recursive: true });
    writeFileSync(path.join(cwd, 'projects/ecb.yaml'), ECB);
    // No file is remembered by its signature (file-signatures.ts) unless a test says so: these
    // tests are about the records of valid files, whatever the time between writing and reading.
    signatureClock.now = () => 0;
  });
  afterEach(() => {
    signatureClock.now = realNow;
  });

  const cacheFiles = () => (existsSync(path.join(cache, 'argosctl')) ? readdirSync(path.join(cache, 'argosctl')) : []);

  it('is written in $XDG_CACHE_HOME/argosctl, never next to the manifests, and gives the same result', async () => {
    const first = await validate();
    expect(cacheFiles()).toHaveLength(1);
    expect(readdirSync(cwd).sort()).toEqual(['projects']);
    const second = await validate();
    expect(second).toEqual(first);
    expect(second.code).toBe(0);
    // The warning's file is cached with its warning, which is reported again from the record.
    expect(second.stderr).toMatch(/lint\.ecb/);
    const cached = JSON.parse(readFileSync(path.join(cache, 'argosctl', cacheFiles()[0]), 'utf8'));
    expect(cached.projects.map((p: { id: string }) => p.id).sort()).toEqual([
      'ecb-project',
      'kbank-onboarding',
      'kbank-prod',
    ]);
    // Each distinct list of warnings is written once; an entry names its list by index.
    expect(cached.warnings[cached.projects.find((p: { id: string }) => p.id === 'ecb-project').warnings]).toEqual([
      expect.objectContaining({ rule: 'lint.ecb', line: 7 }),
    ]);
  });

  it('a file with a warning is skipped and its warning reads as without the cache, also with --strict and as JSON', async () => {
    for (const args of [[], ['--strict'], ['--format', 'json'], ['--format', 'github']]) {
      const uncached = await validate('--no-cache', ...args);
      await validate(...args);
      expect(await validate(...args)).toEqual(uncached);
    }
    // A forged warning in the record shows that the run above took it from there.
    const file = path.join(cache, 'argosctl', cacheFiles()[0]);
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    cached.warnings[cached.projects.find((p: { id: string }) => p.id === 'ecb-project').warnings][0].message =
      'from the record';
    writeFileSync(file, JSON.stringify(cached));
    expect((await validate()).stderr).toMatch(/ecb\.yaml:7:\d+: warning: from the record/);
  });

  it('a file changed after it was cached is checked again', async () => {
    expect((await validate()).code).toBe(0);
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/status: \w+/, 'status: LIVE'));
    const r = await validate();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spec\.status/);
  });

  it('a file remembered by its signature and changed since is read again, the memo of the answer aside', async () => {
    signatureClock.now = () => realNow() + 60_000;
    await validate();
    const file = path.join(cwd, 'projects/kbank-onboarding.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/status: \w+/, 'status: LIVE'));
    for (const answer of readdirSync(path.join(cache, 'argosctl')).filter((f) => f.endsWith('.answer.json')))
      rmSync(path.join(cache, 'argosctl', answer));
    const r = await validate();
    expect(r.code).toBe(1);
    expect(r).toEqual(await validate('--no-cache'));
  });

  it('a changed public key file is checked again', async () => {
    expect((await validate()).code).toBe(0);
    writeFileSync(path.join(cwd, 'projects/keys/kbank.pub.pem'), 'not a key');
    const r = await validate();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a PEM public key/);
  });

  it('a corrupt cache is ignored and replaced; --no-cache neither reads nor writes it', async () => {
    expect((await validate()).code).toBe(0);
    const file = path.join(cache, 'argosctl', cacheFiles()[0]);
    writeFileSync(file, '{"format":1,"projects":[{"id":5}]');
    const r = await validate();
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).projects).toHaveLength(3);
    writeFileSync(file, 'garbage');
    expect((await validate('--no-cache')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('garbage');
  });
});
