// `argosctl transmit seal|open` as users run it (in process), the key rule at validate, and the
// public key shown only as its fingerprint in every plan output, the PR comment and export.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCommentBody } from '../../src/github/comment-body.js';
import { readManifests } from '../../src/validate/read-manifests.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { keyFingerprint } from '../../src/transmit/fingerprint.js';
import { tempDir } from '../helpers/cli.js';
import { runCliInProcess as run } from '../helpers/cli-in-process.js';
import { DATABASE_TARGETS } from '../helpers/databases.js';

const pem = (key: { export(o: object): string | Buffer }, type: 'spki' | 'pkcs8') =>
  String(key.export({ type, format: 'pem' }));
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Lines of the private keys' PEM bodies: no output may ever hold one. */
const privateLines = () =>
  [ec, ec2, rsa].flatMap((p) =>
    pem(p.privateKey, 'pkcs8')
      .split('\n')
      .filter((l) => l && !l.startsWith('-----')),
  );

/** One line on stderr, exit 1, no stack trace, no internal error, no private key text. */
function expectCleanFailure(r: { code: number | null; stderr: string; stdout: string }, message: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |TypeError/);
  expect(r.stdout).toBe('');
  for (const line of privateLines()) expect(r.stderr).not.toContain(line);
}

describe('argosctl transmit seal | open', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
    writeFileSync(path.join(cwd, 'ec.pub'), pem(ec.publicKey, 'spki'));
    writeFileSync(path.join(cwd, 'ec.pem'), pem(ec.privateKey, 'pkcs8'));
    writeFileSync(path.join(cwd, 'ec2.pem'), pem(ec2.privateKey, 'pkcs8'));
    writeFileSync(path.join(cwd, 'rsa.pub'), pem(rsa.publicKey, 'spki'));
    writeFileSync(path.join(cwd, 'rsa.pem'), pem(rsa.privateKey, 'pkcs8'));
    writeFileSync(
      path.join(cwd, 'rsa-secret.pem'),
      String(
        rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }),
      ),
    );
  });

  it('round-trips via stdin/stdout (EC) and files (RSA, passphrase-protected key); --out is 0600', async () => {
    const sealed = await run(['transmit', 'seal', '--public-key', 'ec.pub'], { cwd, input: '{"hello":"world"}\n' });
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(JSON.parse(sealed.stdout)).toMatchObject({
      v: 1,
      alg: 'ECDH-ES+HKDF-SHA256',
      kid: keyFingerprint(ec.publicKey),
    });
    expect(sealed.stderr).toContain(`sealed 18 byte(s) for ${keyFingerprint(ec.publicKey)}`);
    const opened = await run(['transmit', 'open', '--private-key', 'ec.pem'], { cwd, input: sealed.stdout });
    expect(opened).toMatchObject({ code: 0, stdout: '{"hello":"world"}\n' });

    const data = randomBytes(5000);
    writeFileSync(path.join(cwd, 'data.bin'), data);
    expect(
      (await run(['transmit', 'seal', '--public-key', 'rsa.pub', '--in', 'data.bin', '--out', 'data.sealed'], { cwd }))
        .code,
    ).toBe(0);
    const back = await run(
      [
        'transmit',
        'open',
        '--private-key',
        'rsa-secret.pem',
        '--passphrase-env',
        'KEY_PASS',
        '--in',
        'data.sealed',
        '--out',
        'data.out',
      ],
      { cwd, env: { KEY_PASS: 'correct horse' } },
    );
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(path.join(cwd, 'data.out')).equals(data)).toBe(true);
    expect(statSync(path.join(cwd, 'data.out')).mode & 0o777).toBe(0o600);
    // binary data is never printed to stdout
    expectCleanFailure(
      await run(
        ['transmit', 'open', '--private-key', 'rsa-secret.pem', '--passphrase-env', 'KEY_PASS', '--in', 'data.sealed'],
        { cwd, env: { KEY_PASS: 'correct horse' } },
      ),
      /the opened data is binary or holds control characters; it is not printed/,
    );
  });

  it('wrong key, altered envelope, wrong passphrase, bad key files: one line, exit 1, no stack', async () => {
    const sealed = (await run(['transmit', 'seal', '--public-key', 'ec.pub'], { cwd, input: 'secret text' })).stdout;
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'ec2.pem'], { cwd, input: sealed }),
      /^error: the data was sealed for key SHA256:\S+, not for this private key \(SHA256:\S+\)\n$/,
    );
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'rsa.pem'], { cwd, input: sealed }),
      /^error: the data was sealed for key/,
    );
    const altered = sealed.replace(/"ct":"(.)/, (_m, c: string) => `"ct":"${c === 'A' ? 'B' : 'A'}`);
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'ec.pem'], { cwd, input: altered }),
      /^error: cannot open the sealed data: it was altered, or it was not sealed for this key\n$/,
    );
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'rsa-secret.pem', '--passphrase-env', 'KEY_PASS'], {
        cwd,
        input: sealed,
        env: { KEY_PASS: 'wrong' },
      }),
      /private key file "rsa-secret.pem" cannot be decrypted with the passphrase given/,
    );
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'rsa-secret.pem'], { cwd, input: sealed }),
      /is encrypted with a passphrase\n {2}hint: name the environment variable/,
    );
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'ec.pub'], { cwd, input: sealed }),
      /private key file "ec.pub" is not a PEM private key/,
    );
    expectCleanFailure(
      await run(['transmit', 'open', '--private-key', 'missing.pem'], { cwd, input: sealed }),
      /private key file "missing.pem" does not exist/,
    );
    expectCleanFailure(
      await run(['transmit', 'seal', '--public-key', 'ec.pem'], { cwd, input: 'x' }),
      /holds a PRIVATE key; sealing needs only the public key/,
    );
    expectCleanFailure(
      await run(['transmit', 'seal', '--public-key', 'ec.pub', '--project', 'p'], { cwd, input: 'x' }),
      /give exactly one of --project ID and --public-key FILE/,
    );
  });

  it('validate refuses RSA 1024, P-384, Ed25519, RSA-PSS: manifest line, key file, what is allowed', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'projects/keys'), { recursive: true });
    const weak: Record<string, string> = {
      rsa1024: pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'spki'),
      p384: pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, 'spki'),
      ed25519: pem(generateKeyPairSync('ed25519').publicKey, 'spki'),
      rsapss: pem(generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey, 'spki'),
    };
    for (const [name, text] of Object.entries(weak)) {
      writeFileSync(path.join(dir, `projects/keys/${name}.pub.pem`), text);
      writeFileSync(
        path.join(dir, `projects/${name}.yaml`),
        `apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: p-${name}\n  name: p\nspec:\n  status: TEST\n` +
          `  authMethods:\n    idDocument: { enabled: true }\n  security:\n` +
          `    secureTransmission: { enabled: true, publicKey: keys/${name}.pub.pem }\n`,
      );
    }
    const r = await run(['validate', '--dir', 'projects'], { cwd: dir });
    expect(r.code).toBe(1);
    const found: [string, string][] = [
      ['rsa1024', 'an RSA key of 1024 bits'],
      ['p384', 'an EC key on curve secp384r1'],
      ['ed25519', 'a key of type ed25519'],
      ['rsapss', 'an RSA-PSS key'],
    ];
    for (const [name, what] of found) {
      expect(r.stderr).toMatch(
        new RegExp(
          `projects/${name}\\.yaml:11:\\d+.*` +
            `public key file "keys/${name}\\.pub\\.pem" holds ${what.replace(/[()]/g, '\\$&')}`,
        ),
      );
    }
    expect(r.stderr.match(/secure-transmission\.key-type/g)).toHaveLength(4);
    expect(r.stderr).toContain('an RSA key of at least 2048 bits, or an EC key on the P-256 curve (prime256v1)');
    expect(r.stderr).not.toContain('BEGIN PUBLIC KEY');
  });
});

const postgres = DATABASE_TARGETS.find((t) => t.name === 'postgres')!;

describe.skipIf(!postgres.available)(
  'the public key by fingerprint only: plan, saved plan, PR comment, export; transmit seal --project',
  () => {
    let db: { url: string; release(): void };
    let dir: string;
    const env = { ARGOS_MASTER_KEY: randomBytes(32).toString('base64') };
    const DB = () => ['--database-url', db.url];
    beforeAll(async () => {
      db = await postgres.fresh();
      dir = tempDir('examples/bank');
    });
    afterAll(() => db?.release());

    /** The key's base64 body (its PEM without the armour lines) appears nowhere; its fingerprint does. */
    function expectFingerprintOnly(text: string, keyPem: string, where: string): void {
      const body = keyPem.split('\n').filter((l) => l && !l.startsWith('-----'));
      expect(text, where).not.toContain('BEGIN PUBLIC KEY');
      for (const line of body) expect(text, where).not.toContain(line);
      expect(text, where).toContain(keyFingerprint(keyPem));
    }

    it('create and key change: text, markdown, JSON, saved plan, PR comment; the saved plan applies', async () => {
      const keyFile = path.join(dir, 'projects/keys/kbank.pub.pem');
      const first = readFileSync(keyFile, 'utf8');
      for (const format of ['text', 'markdown', 'json']) {
        const r = await run(['plan', '--dir', 'projects', '--format', format, ...DB()], { cwd: dir, env });
        expect(r.code, r.stderr).toBe(0);
        expectFingerprintOnly(r.stdout, first, `plan --format ${format}`);
      }
      const set = await readManifests(path.join(dir, 'projects'));
      const plan = buildPlan({
        manifests: set,
        state: { projects: new Map(), fingerprint: 'sha256:x' },
        git: {},
        now: new Date(),
      });
      expectFingerprintOnly(planCommentBody({ dir: 'projects', plan }), first, 'PR comment');

      const saved = await run(['plan', '--dir', 'projects', '--out', 'plan.json', ...DB()], { cwd: dir, env });
      expect(saved.code, saved.stderr).toBe(0);
      expectFingerprintOnly(readFileSync(path.join(dir, 'plan.json'), 'utf8'), first, 'saved plan');
      const applied = await run(['apply', 'plan.json', '--dir', 'projects', ...DB()], { cwd: dir, env });
      expect(applied.code, applied.stderr).toBe(0);

      // a new key: before and after both by fingerprint, in the reason too
      const next = pem(rsa.publicKey, 'spki');
      writeFileSync(keyFile, next);
      for (const format of ['text', 'json']) {
        // markdown renders values as text does
        const r = await run(['plan', '--dir', 'projects', '--format', format, ...DB()], { cwd: dir, env });
        expectFingerprintOnly(r.stdout, first, `update plan --format ${format} (before)`);
        expectFingerprintOnly(r.stdout, next, `update plan --format ${format} (after)`);
      }
      const again = await run(['plan', '--dir', 'projects', '--out', 'plan2.json', ...DB()], { cwd: dir, env });
      expect(again.code, again.stderr).toBe(0);
      expect((await run(['apply', 'plan2.json', '--dir', 'projects', ...DB()], { cwd: dir, env })).code).toBe(0);
      const drift = await run(['drift', '--dir', 'projects', '--format', 'json', ...DB()], { cwd: dir, env });
      expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    });

    it('export writes the PEM only to keys/*.pub.pem; the manifests and stdout name the file', async () => {
      const r = await run(['export', '--out', 'out', '--dir', 'projects', ...DB()], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      const out = path.join(dir, 'out');
      const next = pem(rsa.publicKey, 'spki');
      for (const file of readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'))) {
        const yaml = readFileSync(path.join(out, file), 'utf8');
        expect(yaml).not.toContain('BEGIN PUBLIC KEY');
        expect(yaml).toMatch(/publicKey: keys\/[a-z-]+\.pub\.pem/);
      }
      expect(r.stdout + r.stderr).not.toContain('BEGIN PUBLIC KEY');
      expect(readFileSync(path.join(out, 'keys/kbank-onboarding.pub.pem'), 'utf8')).toBe(next);
    });

    it("transmit seal --project seals for the stored key; the project's private key opens it", async () => {
      const sealed = await run(['transmit', 'seal', '--project', 'kbank-onboarding', ...DB()], {
        cwd: dir,
        env,
        input: 'for the bank',
      });
      expect(sealed.code, sealed.stderr).toBe(0);
      writeFileSync(path.join(dir, 'rsa.pem'), pem(rsa.privateKey, 'pkcs8'));
      expect(
        await run(['transmit', 'open', '--private-key', 'rsa.pem'], { cwd: dir, input: sealed.stdout }),
      ).toMatchObject({ code: 0, stdout: 'for the bank' });
      expectCleanFailure(
        await run(['transmit', 'seal', '--project', 'nope', ...DB()], { cwd: dir, env, input: 'x' }),
        /the database holds no project "nope"/,
      );
    });
  },
);
