// Where a revealed secret goes: a file given with --out (created with mode 0600, never over an
// existing file), or stdout when it is a terminal; a pipe only with --yes-print-secret, because
// a pipe often ends in a log. The destination is checked and opened BEFORE the one reveal is spent.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { CREATE_NEW } from '../util/atomic-write.js';
import type { CliContext } from './context.js';

export interface SecretOutputOptions {
  out?: string;
  yesPrintSecret?: boolean;
}

export interface SecretSink {
  write(secret: string): void;
  /** The reveal failed: remove the file made for it. */
  abandon(): void;
  describe: string;
}

export function openSecretSink(ctx: CliContext, opts: SecretOutputOptions): SecretSink {
  if (opts.out) {
    const file = path.resolve(ctx.cwd, opts.out);
    let fd: number;
    try {
      fd = openSync(file, CREATE_NEW, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(
        code === 'EEXIST'
          ? `${opts.out} already exists; a secret is never written over a file`
          : `cannot create ${opts.out}: ${code ?? (err as Error).message}`,
        'name a new file',
      );
    }
    return {
      write: (secret) => {
        try {
          writeSync(fd, `${secret}\n`);
        } finally {
          closeSync(fd);
        }
      },
      abandon: () => {
        closeSync(fd);
        unlinkSync(file);
      },
      describe: `written to ${escapeTerminal(opts.out)} (mode 0600)`,
    };
  }
  if (!ctx.stdoutIsTTY && !opts.yesPrintSecret) {
    throw new UserError(
      'stdout is not a terminal: refusing to print a secret into a pipe or a file that may end in a log',
      'use --out FILE (created with mode 0600), or --yes-print-secret if the pipe is safe',
    );
  }
  return { write: (secret) => ctx.out(`${secret}\n`), abandon: () => {}, describe: 'shown once' };
}
