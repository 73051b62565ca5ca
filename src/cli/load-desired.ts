// Shared first step of plan, apply and drift: read and validate manifests, stop with exit 1 if invalid.
import type { Kysely } from 'kysely';
import { readRevisions } from '../db/applied-sources.js';
import { readState, type CurrentState } from '../db/read-state.js';
import type { DatabaseSchema } from '../db/schema.js';
import { hasErrors, problemCount } from '../manifest/diagnostic.js';
import { strictDiagnostics } from '../manifest/check/lint-rules.js';
import { readManifests } from '../validate/read-manifests.js';
import type { ManifestSet } from '../manifest/manifest-set.js';
import { appliedOracle } from '../manifest/read/skip-unchanged.js';
import type { SkipOracle } from '../manifest/read/source-key.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import { summariseRepeated } from '../render/repeated-warnings.js';
import type { CliContext } from './context.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../db/database-url.js';
import { ExitCode } from '../errors.js';
import { jsonDocument } from '../render/json-document.js';

/** `strict`: lint warnings count as errors (`--strict`); `skip`: files to take as unchanged (src/manifest/read/skip-unchanged.ts). */
export async function loadValidManifests(
  ctx: CliContext,
  dir: string,
  format: string,
  strict = false,
  skip?: SkipOracle,
): Promise<ManifestSet> {
  const started = performance.now();
  const read = await readManifests(dir, { skip });
  const set = { ...read, diagnostics: strictDiagnostics(read.diagnostics, strict) };
  const seconds = (performance.now() - started) / 1000;
  const projects = set.projects.length + set.unchanged.length;
  // Large repositories take a while to read: one line on stderr says what the time went on.
  if (seconds >= 1) ctx.err(`read ${projects} project(s) from ${set.fileCount} file(s) in ${seconds.toFixed(1)} s\n`);
  if (hasErrors(set.diagnostics)) {
    // Manifests that are valid but break the organisation's policy are a refusal (exit 3, CONTRACT), not an error.
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    const byPolicy = errors.every((d) => d.rule.startsWith('policy.'));
    const why = byPolicy ? 'blocked by the policy in argosctl.yaml' : 'in the manifests';
    if (format === 'json')
      ctx.out(
        jsonDocument('validate', {
          valid: false,
          files: set.fileCount,
          projects,
          diagnostics: summariseRepeated(set.diagnostics),
        }),
      );
    else
      ctx.err(
        renderDiagnosticsText(set.diagnostics, ctx.errStyle) +
          `${problemCount(set.diagnostics)} problem(s) ${why}; nothing was planned or written.\n`,
      );
    throw new ExitCode(byPolicy ? 3 : 1);
  }
  return set;
}

/**
 * The manifests checked BEFORE the database is opened, when opening would create it (memory:, or an
 * embedded folder that does not exist yet): such a database records nothing to skip, and invalid
 * manifests must leave nothing behind. Undefined: open first, then read (unchanged files skipped).
 */
export async function checkBeforeCreating(
  ctx: CliContext,
  url: string,
  opts: { dir: string; format: string; strict?: boolean },
): Promise<ManifestSet | undefined> {
  const target = parseDatabaseUrl(url, ctx.cwd);
  const creates =
    target.kind === 'memory' || (target.kind === 'pglite' && !existsSync(path.join(target.path, 'PG_VERSION')));
  return creates ? loadValidManifests(ctx, opts.dir, opts.format, opts.strict) : undefined;
}

export interface DesiredAgainstDatabase {
  manifests: ManifestSet;
  /**
   * The state in `only` (all without it), with the projects of skipped files left unread; `again`:
   * read the revisions again (under apply's lock) rather than use those the skip was decided on.
   */
  readState(db: Kysely<DatabaseSchema>, only?: readonly string[], again?: boolean): Promise<CurrentState>;
}

/**
 * The manifests, valid, for comparing with the database at `db`. With `cache`, files whose source
 * the database records as applied, for a project no write touched since, are not parsed, checked
 * or compared (`--no-cache` turns it off: same result, every file checked).
 */
export async function loadAgainstDatabase(
  ctx: CliContext,
  db: Kysely<DatabaseSchema>,
  opts: { dir: string; format: string; strict?: boolean; cache: boolean; checked?: ManifestSet },
): Promise<DesiredAgainstDatabase> {
  if (opts.checked) return { manifests: opts.checked, readState: (reader, only) => readState(reader, only) };
  const revisions = opts.cache ? await readRevisions(db) : undefined;
  const manifests = await loadValidManifests(
    ctx,
    opts.dir,
    opts.format,
    opts.strict,
    revisions && appliedOracle(revisions),
  );
  const skipped = new Map(manifests.unchanged.map((u) => [u.id, revisions!.get(u.id)!]));
  return {
    manifests,
    readState: (reader, only, again = false) => readState(reader, only, skipped, again ? undefined : revisions),
  };
}
