// argosctl transmit seal|open: the secure-transmission envelope (docs/secure-transmission.md) from
// the command line. Thin: read bounded input and keys, call src/transmit, write the result whole.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { Readable } from 'node:stream';
import { Command } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { UserError } from '../../errors.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { keyFingerprint } from '../../transmit/fingerprint.js';
import { open } from '../../transmit/open.js';
import { parsePrivateKey, parsePublicKey } from '../../transmit/parse-key.js';
import { projectTransmissionKey } from '../../transmit/project-key.js';
import { seal } from '../../transmit/seal.js';
import { serviceKey } from '../../transmit/service-key.js';
import { masterKeySource, resolveMasterKey } from '../../keys/master-key.js';
import type { CliContext } from '../context.js';
import { databaseOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';
import { readUserFile } from '../../util/safe-read.js';

/** Data to seal or open is read whole, so it is capped; key files are small by nature. */
export const MAX_DATA_BYTES = 64 * 1024 * 1024;
const MAX_KEY_BYTES = 64 * 1024;

async function readCapped(stream: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > max)
        throw new UserError(
          `${what} is larger than ${max} bytes`,
          'seal large files in parts, or encrypt them another way and seal the key',
        );
      chunks.push(Buffer.from(chunk as Buffer));
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

/** Through the one safe reader: a regular file only, never /proc/self/environ, /dev/zero or a FIFO. */
const readFileCapped = async (file: string, max: number, what: string) =>
  readUserFile(file, max, what, 'a regular file; pipe other input in on stdin');

function readInput(ctx: CliContext, file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== '-') return readFileCapped(file, MAX_DATA_BYTES, 'input file');
  if (ctx.stdinIsTTY) throw new UserError('no input: stdin is a terminal', 'pipe the data in, or give --in FILE');
  return readCapped(process.stdin, MAX_DATA_BYTES, 'stdin');
}

/** Written whole or not at all: a temporary file beside the target, then a rename. */
async function writeWhole(file: string, data: Buffer | string, mode: number): Promise<void> {
  try {
    writeFileAtomic(file, data, mode);
  } catch (err) {
    throw new UserError(
      `cannot write ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was written`,
    );
  }
}

/** Opened data goes to stdout only as text: non-UTF-8 bytes or control characters would garble a terminal. */
function printable(data: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text) ? undefined : text;
}

/** The recipient's public key: from a file, or as apply stored it for the project. */
async function sealingKey(ctx: CliContext, opts: SealOpts): Promise<KeyObject> {
  if (opts.publicKey !== undefined) {
    const what = `public key file ${JSON.stringify(opts.publicKey)}`;
    return parsePublicKey(await readFileCapped(opts.publicKey, MAX_KEY_BYTES, 'public key file'), what);
  }
  const project = opts.project!;
  if (opts.serviceKey) {
    const url = resolveDatabaseUrl(opts.databaseUrl);
    const key = await withDatabase(url, ({ db }) =>
      serviceKey(db, project, () => resolveMasterKey(url, ctx.env, { generate: true }), masterKeySource(url, ctx.env)),
    );
    return parsePublicKey(Buffer.from(key.publicKeyPem), `the service key of project ${JSON.stringify(project)}`);
  }
  const stored = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) =>
    projectTransmissionKey(db, project),
  );
  if (!stored.enabled)
    ctx.err(`note: secure transmission is off for ${t(project)}; sealing for its stored key anyway\n`);
  return parsePublicKey(Buffer.from(stored.pem), `the stored key of project ${JSON.stringify(project)}`);
}

type SealOpts = {
  project?: string;
  publicKey?: string;
  serviceKey?: boolean;
  in?: string;
  out?: string;
  databaseUrl?: string;
  format: 'text' | 'json';
};
type OpenOpts = { privateKey: string; passphraseEnv?: string; in?: string; out?: string; format: 'text' | 'json' };

export function transmitCommand(ctx: CliContext): Command {
  const transmit = new Command('transmit').description(
    "secure data transmission: seal data for a project's public key, open it with the private key",
  );
  transmit
    .command('seal')
    .description('seal data (AES-256-GCM, the key wrapped for the public key) into a JSON envelope')
    .option('--project <id>', "seal for this project's secure-transmission key, as stored in the database")
    .option('--public-key <file>', 'seal for this PEM public key (RSA >= 2048 bits or EC P-256)')
    .option('--service-key', "with --project: seal a request body for the project's service key (what serve opens)")
    .option('--in <file>', 'the data to seal; - or absent: stdin')
    .option('--out <file>', 'write the envelope here (default: stdout)')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (opts: SealOpts) => {
      if ((opts.project === undefined) === (opts.publicKey === undefined))
        throw new UserError('give exactly one of --project ID and --public-key FILE');
      if (opts.serviceKey && opts.project === undefined)
        throw new UserError('--service-key needs --project ID (the project whose service key to seal for)');
      const key = await sealingKey(ctx, opts);
      const data = await readInput(ctx, opts.in);
      const envelope = seal(key, data) + '\n';
      const toFile = opts.out !== undefined && opts.out !== '-';
      if (toFile) await writeWhole(opts.out!, envelope, 0o644);
      const fingerprint = keyFingerprint(key);
      if (opts.format === 'json')
        return ctx.out(
          jsonDocument('transmit-seal', {
            fingerprint,
            bytes: data.length,
            ...(toFile ? { out: opts.out } : { envelope: JSON.parse(envelope) }),
          }),
        );
      if (!toFile) ctx.out(envelope);
      ctx.err(`sealed ${data.length} byte(s) for ${fingerprint}\n`);
    });
  transmit
    .command('service-key')
    .description(
      "print the project's service public key (made on first use): clients seal request bodies for it when secure transmission is on",
    )
    .argument('<project>', 'project id')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: { databaseUrl?: string; format: 'text' | 'json' }) => {
      const url = resolveDatabaseUrl(opts.databaseUrl);
      const key = await withDatabase(url, ({ db }) =>
        serviceKey(
          db,
          project,
          () => resolveMasterKey(url, ctx.env, { generate: true }),
          masterKeySource(url, ctx.env),
        ),
      );
      if (opts.format === 'json') {
        // JSON documents never hold PEM text (json-document.ts): the key goes as its DER in base64.
        const spki = createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
        return ctx.out(jsonDocument('transmit-service-key', { project, fingerprint: key.fingerprint, spki }));
      }
      ctx.out(key.publicKeyPem.endsWith('\n') ? key.publicKeyPem : `${key.publicKeyPem}\n`);
      ctx.err(`service key of ${t(project)}: ${key.fingerprint} (seal request bodies for it)\n`);
    });
  transmit
    .command('open')
    .description("open a sealed envelope with the recipient's private key")
    .requiredOption('--private-key <file>', 'the PEM private key the data was sealed for')
    .option('--passphrase-env <name>', "the environment variable holding the private key's passphrase")
    .option('--in <file>', 'the envelope; - or absent: stdin')
    .option('--out <file>', 'write the opened data here, mode 0600 (default: stdout, text only)')
    .addOption(formatOption(['text', 'json']))
    .action(async (opts: OpenOpts) => {
      const what = `private key file ${JSON.stringify(opts.privateKey)}`;
      let passphrase: string | undefined;
      if (opts.passphraseEnv !== undefined) {
        passphrase = ctx.env[opts.passphraseEnv];
        if (passphrase === undefined)
          throw new UserError(`the environment variable ${JSON.stringify(opts.passphraseEnv)} is not set`);
      }
      const key = parsePrivateKey(
        await readFileCapped(opts.privateKey, MAX_KEY_BYTES, 'private key file'),
        what,
        passphrase,
      );
      const input = await readInput(ctx, opts.in);
      const data = open(key, input);
      const toFile = opts.out !== undefined && opts.out !== '-';
      if (toFile) await writeWhole(opts.out!, data, 0o600);
      if (opts.format === 'json') {
        // base64: any bytes, binary too, and never taken for PEM text by jsonDocument's key filter.
        return ctx.out(
          jsonDocument('transmit-open', {
            fingerprint: keyFingerprint(key),
            bytes: data.length,
            ...(toFile ? { out: opts.out } : { base64: data.toString('base64') }),
          }),
        );
      }
      if (!toFile) {
        const text = printable(data);
        if (text === undefined)
          throw new UserError(
            'the opened data is binary or holds control characters; it is not printed',
            'write it to a file with --out FILE',
          );
        ctx.out(text);
      }
      ctx.err(`opened ${data.length} byte(s) sealed for ${keyFingerprint(key)}\n`);
    });
  return transmit;
}
