// validate's memory of unchanged files: a folder whose files all look as they did when read (inode,
// size, modification and change times) is answered from the last run's answer without reading a
// manifest, byte for byte as a fresh run; any change to what the answer depends on is seen.
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureClock } from '../../src/manifest/read/file-signatures.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const ECB = `apiVersion: argosctl/v1
kind: Project
metadata: { id: ecb-project, name: ECB }  # a warning: lint.ecb
spec:
  status: TEST
  authMethods: { idDocument: { enabled: true } }
  encryption: { method: ECB }
`;

const FORGED = 'FROM THE MEMO';
const realNow = signatureClock.now;

describe('validate memo', () => {
  let cwd: string;
  let cache: string;
  const validate = (...args: string[]) =>
    runCliInProcess(['validate', '--dir', 'projects', ...args], { cwd, env: { XDG_CACHE_HOME: cache } });
  const answers = () =>
    existsSync(path.join(cache, 'argosctl'))
      ? readdirSync(path.join(cache, 'argosctl'))
          .filter((f) => f.endsWith('.answer.json'))
          .map((f) => path.join(cache, 'argosctl', f))
      : [];
  /** The memo's JSON (after its checksum line). */
  const readMemo = (file: string) => JSON.parse(readFileSync(file, 'utf8').split('\n')[1]);
  /** Written as argosctl writes it: the JSON's sha256, then the JSON. */
  const writeMemo = (file: string, memo: unknown) => {
    const json = JSON.stringify(memo);
    writeFileSync(file, `${createHash('sha256').update(json).digest('hex')}\n${json}`);
  };
  /** Every remembered message replaced: a run that prints it answered from the memo. */
  const forgeMemo = () => {
    const [file] = answers();
    const memo = readMemo(file);
    for (const template of memo.answer.templates)
      for (const pair of template) if (pair[0] === 'message') pair[1] = FORGED;
    writeMemo(file, memo);
  };
  /** After a change: the answer is a fresh run's, not the forged memo's. */
  const expectFresh = async () => {
    const fresh = await validate('--no-cache');
    const r = await validate();
    expect(r.stderr).not.toContain(FORGED);
    expect(r).toEqual(fresh);
    return r;
  };

  beforeEach(() => {
    cwd = tempDir();
    cache = path.join(tempDir(), 'cache');
    cpSync(path.join(ROOT, 'examples/global-platform'), path.join(cwd, 'projects'), { recursive: true });
    cpSync(path.join(ROOT, 'examples/bank/keys'), path.join(cwd, 'projects/keys'), { recursive: true });
    writeFileSync(path.join(cwd, 'projects/ecb.yaml'), ECB);
    // Not YAML: a problem whose `allowed` is left undefined, which --format json leaves out.
    writeFileSync(path.join(cwd, 'projects/broken.yaml'), 'a: [\n');
    // Files written a moment ago may change again with the same times (file systems keep times to a
    // tick); a clock a minute ahead makes them old enough to be remembered.
    signatureClock.now = () => realNow() + 60_000;
  });
  afterEach(() => {
    signatureClock.now = realNow;
  });

  it('answers an unchanged folder from the memo, exactly as a fresh run, in every format', async () => {
    for (const args of [[], ['--strict'], ['--format', 'json'], ['--format', 'github'], ['--verbose']]) {
      const fresh = await validate('--no-cache', ...args);
      await validate(...args);
      expect(await validate(...args)).toEqual(fresh);
    }
    expect(answers()).toHaveLength(1);
    forgeMemo();
    expect((await validate()).stderr).toContain(FORGED);
    // Neither the memo nor the manifests' cache is written next to the manifests.
    expect(readdirSync(cwd)).toEqual(['projects']);
  });

  it('sees a manifest edited to the same size, a file added, removed or renamed, and a changed public key', async () => {
    const ecb = path.join(cwd, 'projects/ecb.yaml');
    const changes: [string, () => void][] = [
      ['same size', () => writeFileSync(ecb, ECB.replace('status: TEST', 'status: OPEN'))],
      ['added', () => writeFileSync(path.join(cwd, 'projects/more.yaml'), ECB.replace(/ecb-project/g, 'more-ecb'))],
      ['public key', () => writeFileSync(path.join(cwd, 'projects/keys/kbank.pub.pem'), 'not a key')],
      ['renamed', () => renameSync(ecb, path.join(cwd, 'projects/ecb-2.yaml'))],
      ['removed', () => rmSync(path.join(cwd, 'projects/keyed.yaml'))],
    ];
    writeFileSync(
      path.join(cwd, 'projects/keyed.yaml'),
      readFileSync(path.join(ROOT, 'examples/bank/kbank-onboarding.yaml'), 'utf8'),
    );
    await validate();
    const outputs = new Set<string>();
    for (const [what, change] of changes) {
      await validate();
      forgeMemo();
      change();
      const r = await expectFresh();
      outputs.add(`${r.code}${r.stdout}${r.stderr}`);
      expect(r.stderr, what).not.toContain(FORGED);
    }
    // Each change changed the answer: the comparisons above could fail.
    expect(outputs.size).toBe(changes.length);
  });

  it('sees a changed argosctl.yaml and a run from another folder', async () => {
    await validate();
    await validate();
    forgeMemo();
    const config = path.join(cwd, 'projects/argosctl.yaml');
    writeFileSync(
      config,
      `${readFileSync(config, 'utf8')}    - name: closed-only\n      setting: spec.status\n      oneOf: [CLOSE]\n`,
    );
    expect((await expectFresh()).stderr).toMatch(/closed-only/);
    await validate();
    forgeMemo();
    // Problems name files as seen from where validate runs: another folder is another answer.
    const inside = (...args: string[]) =>
      runCliInProcess(['validate', '--dir', '.', ...args], {
        cwd: path.join(cwd, 'projects'),
        env: { XDG_CACHE_HOME: cache },
      });
    const fromInside = await inside();
    expect(fromInside.stderr).not.toContain(FORGED);
    expect(fromInside).toEqual(await inside('--no-cache'));
    expect(fromInside.stderr).toMatch(/^projects\/globex-eu\.yaml:/m);
  });

  it('remembers no file changed within two seconds of the run, and no folder with a link in it', async () => {
    // The runs start one second after the newest change, however long the machine took to get here.
    const newest = Math.max(
      ...readdirSync(path.join(cwd, 'projects'), { recursive: true }).map(
        (name) => statSync(path.join(cwd, 'projects', String(name))).ctimeMs,
      ),
    );
    signatureClock.now = () => newest + 1_000;
    await validate();
    await validate();
    expect(answers()).toHaveLength(0);
    signatureClock.now = () => realNow() + 60_000;
    symlinkSync('ecb.yaml', path.join(cwd, 'projects/link.yaml'));
    await validate();
    await validate();
    expect(answers()).toHaveLength(0);
  });

  it('ignores a memo it did not write as it writes them', async () => {
    await validate();
    const fresh = await validate('--no-cache');
    const [file] = answers();
    const memo = readMemo(file);
    // Damaged: any change without its checksum (here an error made a warning) is not trusted.
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"error"', '"warning"'));
    expect(await validate()).toEqual(fresh);
    for (const forged of [
      { ...memo, format: 99 },
      { ...memo, answer: { ...memo.answer, diagnostics: [[999, 'x', 1, 1]] } },
      { ...memo, files: { ...memo.files, 'ecb.yaml': 5 } },
      { ...memo, version: '0.0.0' },
    ]) {
      writeMemo(file, forged);
      expect(await validate()).toEqual(fresh);
    }
    writeFileSync(file, 'garbage');
    expect(await validate()).toEqual(fresh);
  });

  it('is kept per locale: one that sorts names otherwise gets its own answer (real processes)', async () => {
    rmSync(path.join(cwd, 'projects/broken.yaml'));
    const onboarding = readFileSync(path.join(ROOT, 'examples/bank/kbank-onboarding.yaml'), 'utf8');
    // Both declare one id: the problem names the file that sorts second, which the locale decides.
    writeFileSync(path.join(cwd, 'projects/b.yaml'), onboarding);
    writeFileSync(path.join(cwd, 'projects/å.yaml'), onboarding);
    // The files must be 2 s old to be remembered: a wait on file times, not on the machine's speed.
    // The runs without the cache need no wait, so they run meanwhile.
    const oldEnough = new Promise((resolve) => setTimeout(resolve, 2_100));
    const inLocale = (locale: string, ...args: string[]) =>
      runCli(['validate', '--dir', 'projects', ...args], {
        cwd,
        env: { XDG_CACHE_HOME: cache, LANG: locale, LC_ALL: locale },
      });
    const english = await inLocale('en_US.UTF-8', '--no-cache');
    const swedish = await inLocale('sv_SE.UTF-8', '--no-cache');
    expect(swedish.stderr).not.toEqual(english.stderr);
    await oldEnough;
    expect(answers()).toHaveLength(0); // --no-cache remembered nothing
    await inLocale('en_US.UTF-8');
    expect(answers()).toHaveLength(1);
    expect(await inLocale('sv_SE.UTF-8')).toEqual(swedish);
    expect(await inLocale('en_US.UTF-8')).toEqual(english);
  });

  it('reads only the changed file when one of many changed, and answers as a fresh run', async () => {
    await validate();
    const ecb = path.join(cwd, 'projects/ecb.yaml');
    writeFileSync(ecb, ECB.replace('status: TEST', 'status: LIVE'));
    const r = await expectFresh();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ecb\.yaml:5:\d+: error/);
  });
});
