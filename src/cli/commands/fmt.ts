// argosctl fmt: rewrite manifests in canonical form (schema key order, quoting only where needed),
// keeping comments and blank lines. --check writes nothing and exits 1 listing what would change.
import path from 'node:path';
import { Command } from 'commander';
import { formatText } from '../../fmt/format-text.js';
import { MAX_FILE_BYTES, invalidUtf8Offset, listManifestFiles } from '../../manifest/read/load-files.js';
import { isInside, readInsideRoot, realRoot } from '../../manifest/read/safe-read.js';
import { writeInsideRoot } from '../../manifest/safe-write.js';
import { escapeTerminal as t } from '../../render/escape-terminal.js';
import { ExitCode, UserError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { dirOption, formatOption } from '../options.js';
import { jsonDocument } from '../../render/json-document.js';

interface FmtOptions {
  dir: string;
  check?: boolean;
  format: 'text' | 'json';
}

interface Target {
  shown: string;
  full: string;
}

function targets(ctx: CliContext, root: string, dir: string, files: string[]): Target[] {
  if (files.length === 0) {
    const listing = listManifestFiles(dir);
    if (!Array.isArray(listing)) throw new UserError(listing.message, listing.allowed);
    return listing.map((f) => ({ shown: f.file, full: f.full }));
  }
  return files.map((file) => {
    const full = path.resolve(ctx.cwd, file);
    if (!isInside(root, path.resolve(full)))
      throw new UserError(`${t(file)} is outside the manifest folder ${t(dir)}`, 'name files below --dir');
    return { shown: file, full };
  });
}

export function fmtCommand(ctx: CliContext): Command {
  return new Command('fmt')
    .description('rewrite manifests in canonical key order and quoting, keeping comments; --check only reports')
    .argument('[files...]', 'manifest files to format (default: every *.yaml / *.yml below --dir)')
    .addOption(dirOption())
    .option('--check', 'write nothing; exit 1 and list the files that are not formatted (for CI and pre-commit)')
    .addOption(formatOption(['text', 'json']))
    .action(async (files: string[], opts: FmtOptions) => {
      const root = realRoot(path.resolve(ctx.cwd, opts.dir));
      if (!root)
        throw new UserError(
          `manifest folder ${t(opts.dir)} does not exist or is not a folder`,
          'an existing folder of *.yaml manifests (--dir)',
        );
      const failed: { file: string; problem: string }[] = [];
      const changed: string[] = [];
      const json = opts.format === 'json';
      for (const target of targets(ctx, root, opts.dir, files)) {
        const fail = (problem: string) => {
          failed.push({ file: target.shown, problem });
          if (!json) ctx.err(`${t(target.shown)}: ${problem}\n`);
        };
        const read = readInsideRoot(root, target.full, MAX_FILE_BYTES);
        if (!read.ok) {
          fail(`${read.problem} (${read.rule})`);
          continue;
        }
        const bad = invalidUtf8Offset(read.bytes);
        if (bad >= 0) {
          fail(`is not valid UTF-8 (byte ${bad})`);
          continue;
        }
        const text = read.bytes.toString('utf8');
        const formatted = formatText(text);
        if (!formatted.ok) {
          fail(`${formatted.line}:${formatted.column}: ${formatted.message}`);
          continue;
        }
        if (formatted.text === text) continue;
        if (!opts.check) {
          const written = writeInsideRoot(root, target.full, formatted.text);
          if (!written.ok) {
            fail(written.problem);
            continue;
          }
        }
        changed.push(target.shown);
        if (!json) ctx.out(`${opts.check ? 'would reformat' : 'formatted'} ${t(target.shown)}\n`);
      }
      if (json) ctx.out(jsonDocument('fmt', { check: Boolean(opts.check), changed, failed }));
      else if (opts.check && changed.length)
        ctx.err(`${changed.length} file(s) are not formatted; run \`argosctl fmt\`.\n`);
      if (failed.length || (opts.check && changed.length)) throw new ExitCode(1);
    });
}
