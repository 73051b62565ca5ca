// argosctl keys list|reveal|rewrap: a project's keys by fingerprint, the one reveal of a secret,
// and moving every sealed value to a new master key.
import { jsonDocument } from '../../render/json-document.js';
import { Command, Option } from 'commander';
import { resolveDatabaseUrl, withDatabase } from '../../db/connection.js';
import { revealApiKey } from '../../keys/api-key.js';
import { revealEncryptionKey } from '../../keys/encryption-keys.js';
import { listProjectKeys, type ProjectKeys } from '../../keys/list-keys.js';
import {
  MASTER_KEY_BYTES,
  masterKeyFromFile,
  masterKeyFromText,
  masterKeySource,
  resolveMasterKey,
} from '../../keys/master-key.js';
import { isDatabaseKey, keyFileHolding, recordedCheckHex } from '../../keys/master-key-check.js';
import { trackedByGit } from '../../util/git-tracked.js';
import { adoptMasterKey, rewrapAll, type AdoptResult, type LostValueOutcome } from '../../keys/rewrap.js';
import { revealWebhookSecret } from '../../webhooks/webhook-secret.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { CliContext } from '../context.js';
import { ExitCode, GuardError, UserError } from '../../errors.js';
import { confirm } from '../confirm.js';
import { randomBytes } from 'node:crypto';
import { lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { actorName } from '../git-info.js';
import { databaseOption, formatOption } from '../options.js';
import { openSecretSink, type SecretOutputOptions } from '../secret-output.js';

type Opts = { databaseUrl?: string; format: 'text' | 'json' };
const API_KEY = 'api-key';
const WEBHOOK_SECRET = 'webhook-secret';

function keysText(project: string, keys: ProjectKeys): string {
  const lines: string[] = [];
  for (const k of keys.apiKeys) {
    lines.push(
      `api-key rotation ${k.rotation}  ${k.fingerprint}  ${k.validUntil ? `valid until ${k.validUntil}` : 'current'}  ` +
        `${k.revealed ? `revealed ${k.revealed.at} by ${t(k.revealed.by)}` : k.revealable ? 'not revealed yet' : 'not revealable'}`,
    );
  }
  for (const k of keys.encryptionKeys) {
    const validity = k.validUntil ? `opens URLs until ${k.validUntil}` : 'opens URLs';
    lines.push(
      `encryption-key ${t(k.name)} rotation ${k.rotation}  ${k.status}${k.current ? '' : ' (rotated out)'}  ${k.fingerprint}  ` +
        `key id ${k.keyId}  created ${k.createdAt}  ${validity}  ${k.revealed ? `revealed ${k.revealed.at} by ${t(k.revealed.by)}` : 'not revealed yet'}`,
    );
  }
  for (const s of keys.webhookSecrets) {
    lines.push(
      `webhook-secret rotation ${s.rotation}  ${s.fingerprint}  ${s.validUntil ? `signs until ${s.validUntil}` : 'current'}  ` +
        `${s.revealed ? `revealed ${s.revealed.at} by ${t(s.revealed.by)}` : 'not revealed yet'}`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : `${t(project)}: no keys\n`;
}

/** The new master key for rewrap: --new-key-file, else ARGOS_NEW_MASTER_KEY. */
function newMasterKey(file: string | undefined, env: NodeJS.ProcessEnv): Buffer {
  if (file) return masterKeyFromFile(file);
  if (env.ARGOS_NEW_MASTER_KEY) return masterKeyFromText(env.ARGOS_NEW_MASTER_KEY, 'ARGOS_NEW_MASTER_KEY');
  throw new UserError(
    'keys rewrap needs the new master key',
    'pass --new-key-file FILE (mode 0600) or set ARGOS_NEW_MASTER_KEY (base64 of 32 bytes)',
  );
}

interface Revealed {
  secretKind: 'api-key' | 'webhook-secret' | 'encryption-key';
  rotation: number;
  fingerprint: string;
  keyId?: string;
  encoding: 'text' | 'base64';
  secret: string;
  /** What the text face says about it on stderr, and where to keep it. */
  describe: string;
  keepIt: string;
}

/** The one reveal of a secret (recorded in the audit trail), whichever kind KEY names. */
async function reveal(
  url: string,
  project: string,
  key: string,
  actor: string,
  masterKey: () => Buffer,
): Promise<Revealed> {
  if (key === WEBHOOK_SECRET) {
    const w = await withDatabase(url, ({ db }) => revealWebhookSecret(db, project, actor, masterKey));
    return {
      secretKind: 'webhook-secret',
      rotation: w.rotation,
      fingerprint: w.fingerprint,
      encoding: 'text',
      secret: w.secret,
      describe: `webhook signing secret of ${t(project)}, rotation ${w.rotation} (${w.fingerprint})`,
      keepIt: 'store it with the receiver now',
    };
  }
  if (key === API_KEY) {
    const r = await withDatabase(url, ({ db }) => revealApiKey(db, project, actor, masterKey));
    return {
      secretKind: 'api-key',
      rotation: r.rotation,
      fingerprint: r.fingerprint,
      encoding: 'text',
      secret: r.key,
      describe: `API key of ${t(project)}, rotation ${r.rotation} (${r.fingerprint})`,
      keepIt: 'store it now',
    };
  }
  const r = await withDatabase(url, ({ db }) => revealEncryptionKey(db, project, key, actor, masterKey));
  return {
    secretKind: 'encryption-key',
    rotation: r.rotation,
    fingerprint: r.fingerprint,
    keyId: r.keyId,
    encoding: 'base64',
    secret: r.material.toString('base64'),
    describe: `encryption key ${t(key)} of ${t(project)}, rotation ${r.rotation}, key id ${r.keyId} (${r.fingerprint}): AES-256 key in base64`,
    keepIt: 'store it now',
  };
}

export function keysCommand(ctx: CliContext): Command {
  const keys = new Command('keys').description(
    'secret material issued at apply: list by fingerprint, reveal once, rewrap',
  );
  keys
    .command('list')
    .description(
      "a project's API keys, encryption keys and webhook secrets: rotation, status, fingerprint, dates, reveal record",
    )
    .argument('<project>', 'project id')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(async (project: string, opts: Opts) => {
      const found = await withDatabase(resolveDatabaseUrl(opts.databaseUrl), ({ db }) => listProjectKeys(db, project));
      if (opts.format === 'json') return ctx.out(jsonDocument('keys-list', { project, ...found }));
      ctx.out(keysText(project, found));
    });
  keys
    .command('reveal')
    .description(
      'print a newly issued secret once (audited): the API key, the webhook secret, or an encryption key by name',
    )
    .argument('<project>', 'project id')
    .argument('<key>', `${API_KEY}, ${WEBHOOK_SECRET}, or the name of an encryption key`)
    .option('--out <file>', 'write it to this new file (mode 0600) instead of the terminal')
    .option('--yes-print-secret', 'print it even though stdout is not a terminal')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (
        project: string,
        key: string,
        opts: SecretOutputOptions & { databaseUrl?: string; format: 'text' | 'json' },
      ) => {
        const url = resolveDatabaseUrl(opts.databaseUrl);
        const sink = openSecretSink(ctx, opts);
        let revealed: Revealed;
        try {
          revealed = await reveal(url, project, key, actorName(ctx.env), () => resolveMasterKey(url, ctx.env));
        } catch (err) {
          sink.abandon();
          throw err;
        }
        const { secret, describe, keepIt, ...about } = revealed;
        // Printed here next: "store it now:" leads into it; written to a file, the line ends there.
        if (opts.format === 'text') ctx.err(`${describe}; ${sink.describe}${opts.out ? '' : `, ${keepIt}:`}\n`);
        // JSON carries the secret itself only where the text face would print it; --out keeps it in the file.
        if (opts.format === 'text' || opts.out) sink.write(secret);
        if (opts.format === 'json')
          ctx.out(
            jsonDocument('keys-reveal', { project, key, ...about, ...(opts.out ? { out: opts.out } : { secret }) }),
          );
      },
    );
  keys
    .command('rewrap')
    .description('re-seal every sealed secret under a new master key, in one transaction')
    .addOption(
      new Option(
        '--new-key-file <file>',
        'the new master key: a file holding base64 of 32 bytes, mode 0600 (else $ARGOS_NEW_MASTER_KEY)',
      ),
    )
    .addOption(
      new Option(
        '--old-key-lost',
        "the old master key is lost: show what only it opened; with --yes remove that and make the configured key the database's (embedded: a new key file)",
      ).conflicts('newKeyFile'),
    )
    .option('--yes', 'with --old-key-lost: do it, without asking')
    .addOption(formatOption(['text', 'json']))
    .addOption(databaseOption())
    .action(
      async (opts: {
        newKeyFile?: string;
        oldKeyLost?: boolean;
        yes?: boolean;
        databaseUrl?: string;
        format: 'text' | 'json';
      }) => {
        const url = resolveDatabaseUrl(opts.databaseUrl);
        if (opts.oldKeyLost) return adoptConfiguredKey(ctx, url, opts);
        const next = newMasterKey(opts.newKeyFile, ctx.env);
        const source = masterKeySource(url, ctx.env);
        const r = await withDatabase(url, ({ db }) =>
          rewrapAll(db, resolveMasterKey(url, ctx.env), next, actorName(ctx.env)),
        );
        const counts = Object.entries(r.rewrapped)
          .map(([column, n]) => `${n} in ${column}`)
          .join(', ');
        if (opts.format === 'json')
          ctx.out(
            jsonDocument('keys-rewrap', {
              rewrapped: r.rewrapped,
              sealedFromClear: r.sealedFromClear,
              ...(source.kind === 'embedded' ? { masterKeyFile: source.file } : {}),
            }),
          );
        else
          ctx.out(
            `re-sealed ${counts}${r.sealedFromClear ? `; sealed ${r.sealedFromClear} key(s) that were in clear` : ''}\n`,
          );
        if (source.kind === 'embedded') {
          // The generated key file beside an embedded database is argosctl's own: it now holds the new key.
          writeFileAtomic(source.file!, next.toString('base64') + '\n', 0o600);
          ctx.err(`the master key file ${t(source.file)} now holds the new key\n`);
        } else {
          ctx.err(
            'from now on use the NEW master key (ARGOS_MASTER_KEY or ARGOS_MASTER_KEY_FILE); the old one opens nothing\n',
          );
        }
      },
    );
  return keys;
}

const LOST_OUTCOME: Record<LostValueOutcome, string> = {
  unrevealable:
    'its sealed copy: never revealed, it cannot be now; the key works until you rotate it (spec.security.apiKey.rotation)',
  'reissued-at-apply':
    'this generation: the next apply issues it anew while it is declared; URLs made with it no longer open',
  removed: 'removed: bump spec.webhook.secretRotation to sign deliveries again',
  'made-on-next-use': 'removed: `argosctl transmit service-key PROJECT` makes a new one, which clients then seal for',
};

/**
 * `keys rewrap --old-key-lost`: what no key at hand opens is shown; with --yes (or "yes" on a
 * terminal) it goes, and the configured key becomes the database's. On the embedded database the key
 * is a new random one: the file found at the key's name is never adopted (a checkout may have put it
 * there), but what it opens is re-sealed under the new key, not lost. The new file is written beside
 * the old one first and put in place only once the database has committed, so a failure changes
 * neither, and a crash in between leaves a file the next refusal names.
 */
async function adoptConfiguredKey(
  ctx: CliContext,
  url: string,
  opts: { yes?: boolean; format: 'text' | 'json' },
): Promise<void> {
  if (ctx.env.ARGOS_NEW_MASTER_KEY)
    throw new UserError(
      '--old-key-lost adopts the configured master key; ARGOS_NEW_MASTER_KEY is not used by it',
      'unset ARGOS_NEW_MASTER_KEY (a rewrap to it needs the old key: argosctl keys rewrap without --old-key-lost)',
    );
  const source = masterKeySource(url, ctx.env);
  const embedded = source.kind === 'embedded';
  // A key file git tracks came with a checkout and goes with the next: argosctl neither adopts it
  // nor writes a new key where a commit would carry it.
  if ((embedded || source.kind === 'file') && source.file && trackedByGit(source.file))
    throw new GuardError(
      `the master key file ${source.file} is tracked by git on this branch (a checkout put it there)`,
      'switch to a branch of yours (the file goes with the checkout) or `git rm --cached` it, then run this again: ' +
        'argosctl writes no master key where git would commit it',
    );
  const found = embedded ? foundKeyFile(url, ctx.env, source.file!) : undefined;
  const configured = embedded ? found?.key : resolveMasterKey(url, ctx.env);
  const named =
    source.kind === 'env'
      ? 'the master key in ARGOS_MASTER_KEY'
      : source.kind === 'process'
        ? 'the configured master key'
        : `the master key file ${t(source.file)}`;
  const key = embedded ? randomBytes(MASTER_KEY_BYTES) : configured!;
  const where = embedded ? `a new master key file ${t(source.file)}` : named;
  const list = (lost: AdoptResult['lost']) => lost.map((v) => `  ${t(v.label)}  ${LOST_OUTCOME[v.outcome]}\n`).join('');
  const describe = (r: AdoptResult, done: boolean) =>
    `${where} ${done ? 'is now' : 'would become'} this database's master key` +
    (found?.problem ? ` (the file at its name ${t(found.problem)}: it is kept aside, never used)` : '') +
    (r.moved.length
      ? `; ${r.moved.length} sealed value(s) the key file found there opens ${done ? 'were' : 'would be'} re-sealed under it`
      : '') +
    `; ${r.lost.length} sealed value(s) no key at hand opens ${done ? 'are gone' : 'would go'}${r.lost.length ? ':' : ''}\n${list(r.lost)}` +
    // A wrong key that opens nothing looks like a loss: the likelier cause is said.
    (!embedded && !done && r.lost.length > 0 && r.moved.length === 0
      ? `${named} opens none of them: if the old key is not lost, check this one for a typo\n`
      : '');
  // One open of the database for the look, the question and the change (an embedded one costs a start each).
  await withDatabase(url, async ({ db }) => {
    if (embedded) {
      // A run cut short after its commit left the recorded key beside the key file: nothing is lost.
      const recorded = await recordedCheckHex(db);
      const holding = recorded ? keyFileHolding(source.file!, Buffer.from(recorded, 'hex')) : undefined;
      if (holding)
        throw new GuardError(
          `the key this database records is in ${holding}: it is not lost`,
          `move it to ${source.file} (keep what is there aside if you want it); nothing needs replacing`,
        );
    }
    // A key that is the database's already has lost nothing: said, and nothing replaced.
    if (configured && (await isDatabaseKey(db, configured))) {
      if (opts.format === 'json')
        return ctx.out(
          jsonDocument('keys-rewrap', { rewrapped: {}, sealedFromClear: 0, lost: [], moved: [], adopted: false }),
        );
      return ctx.out(
        `${named} is this database's master key: nothing is lost, nothing was changed (\`keys rewrap --new-key-file\` moves the secrets to a new key)\n`,
      );
    }
    const look = await adoptMasterKey(db, key, { adopt: false, alsoOpens: found?.key });
    let go = Boolean(opts.yes);
    if (!go && ctx.stdinIsTTY) {
      ctx.err(describe(look, false));
      go = await confirm('Replace the lost master key? Only "yes" is accepted: ');
    }
    if (!go) {
      if (opts.format === 'json')
        ctx.out(
          jsonDocument('keys-rewrap', {
            rewrapped: {},
            sealedFromClear: 0,
            lost: look.lost,
            moved: look.moved,
            adopted: false,
          }),
        );
      else
        ctx.out(`${ctx.stdinIsTTY ? '' : describe(look, false)}nothing changed: pass --yes to replace the lost key\n`);
      // Asked and not given "yes" is an answer; with no terminal to ask, a script learns nothing was done.
      if (!ctx.stdinIsTTY) throw new ExitCode(3);
      return;
    }
    const staged = embedded ? stageKeyFile(source.file!, key) : undefined;
    let r: AdoptResult;
    try {
      r = await adoptMasterKey(db, key, {
        actor: actorName(ctx.env),
        adopt: true,
        alsoOpens: found?.key,
        ifRecorded: look.recordedBefore,
      });
    } catch (err) {
      // Gone only when the database surely does not record it (a failure after the commit keeps it).
      if (staged && !(await isDatabaseKey(db, key).catch(() => true))) rmSync(staged, { force: true });
      throw err;
    }
    let keptAside: string | undefined;
    if (staged) {
      try {
        keptAside = putKeyFileInPlace(source.file!, staged);
      } catch (err) {
        throw new UserError(
          `the database now records the new master key, which is in ${staged}, but it could not be put at ${source.file}: ${(err as Error).message}`,
          `move ${staged} to ${source.file} yourself (keep what is there aside if you want it)`,
        );
      }
    }
    if (opts.format === 'json')
      return ctx.out(
        jsonDocument('keys-rewrap', {
          rewrapped: {},
          sealedFromClear: r.sealedFromClear,
          lost: r.lost,
          moved: r.moved,
          adopted: true,
          ...(embedded ? { masterKeyFile: source.file } : {}),
          ...(keptAside ? { replacedFileKeptAs: keptAside } : {}),
        }),
      );
    ctx.out(describe(r, true) + (keptAside ? `the file it replaces is kept as ${t(keptAside)}\n` : ''));
  });
}

/** The file found at the embedded key's name: its key, or why it holds none (it is never adopted). */
function foundKeyFile(
  url: string,
  env: NodeJS.ProcessEnv,
  file: string,
): { key?: Buffer; problem?: string } | undefined {
  if (!lstatSync(file, { throwIfNoEntry: false })) return undefined;
  try {
    return { key: resolveMasterKey(url, env) };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // The message names the file; the caller names it already (a path may hold spaces).
    const named = `the master key file ${file} `;
    return { problem: err.message.startsWith(named) ? err.message.slice(named.length) : err.message };
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** The new key written beside the key file (0600, a new name), not yet in its place. */
function stageKeyFile(file: string, key: Buffer): string {
  const staged = `${file}.new-${stamp()}`;
  writeFileSync(staged, `${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  return staged;
}

/** The staged key put at the key file's name; what was there is renamed aside, unread, and named. */
function putKeyFileInPlace(file: string, staged: string): string | undefined {
  let aside: string | undefined;
  if (lstatSync(file, { throwIfNoEntry: false })) {
    aside = `${file}.replaced-${stamp()}`;
    renameSync(file, aside);
  }
  renameSync(staged, file);
  return aside;
}
