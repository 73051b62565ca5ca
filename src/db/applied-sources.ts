// The manifest sources apply recorded (migrations 004, 013) and each project's revision, read as
// narrow columns for every project; and the write that records them. A project is "as applied"
// when its revision is still the one recorded: no write to its rows happened since.
import { sql, type Kysely } from 'kysely';
import { isRecordedWarnings, type ProjectSource } from '../manifest/read/source-key.js';
import type { DatabaseSchema } from './schema.js';
import { jsonb } from './sql-values.js';

export interface ProjectRevision {
  revision: string;
  /** The source apply recorded, when the project still is as that apply left it. */
  applied?: ProjectSource;
}

/**
 * JSON read as text and parsed once per distinct text: projects written alike record the same
 * reads and warnings (100,000 projects, a few hundred distinct values), so most rows cost a lookup.
 * The values are shared between projects: read them, never change them.
 */
function parsedOnce<T>(shape: (json: unknown) => T): (text: string | null) => T {
  const seen = new Map<string | null, T>();
  return (text) => {
    if (seen.has(text)) return seen.get(text) as T;
    const value = shape(text === null ? null : JSON.parse(text));
    seen.set(text, value);
    return value;
  };
}

export async function readRevisions(db: Kysely<DatabaseSchema>): Promise<Map<string, ProjectRevision>> {
  const rows = await db
    .selectFrom('projects')
    .select([
      'id',
      sql<string>`revision::text`.as('revision'),
      sql<string | null>`applied_revision::text`.as('applied_revision'),
      'manifest_digest',
      'manifest_file_projects',
      sql<string | null>`manifest_reads::text`.as('manifest_reads'),
      sql<string | null>`manifest_findings::text`.as('manifest_findings'),
    ])
    .execute();
  const out = new Map<string, ProjectRevision>();
  const readsOf = parsedOnce((json) => (json ?? []) as ProjectSource['reads']);
  const recordedFindings = parsedOnce(findingsOf);
  for (const r of rows) {
    const findings = recordedFindings(r.manifest_findings);
    const current =
      r.applied_revision === r.revision &&
      r.manifest_digest !== null &&
      r.manifest_file_projects !== null &&
      findings !== undefined;
    out.set(r.id, {
      revision: r.revision,
      ...(current
        ? {
            applied: {
              key: r.manifest_digest!,
              fileProjects: r.manifest_file_projects!,
              reads: readsOf(r.manifest_reads),
              ...findings,
            },
          }
        : {}),
    });
  }
  return out;
}

/**
 * The recorded warnings and lint ignores, or undefined when they do not read as such (written by
 * hand): the project is then compared in full rather than shown without its warnings.
 */
function findingsOf(stored: unknown): Pick<ProjectSource, 'warnings' | 'lintIgnores'> | undefined {
  if (stored === null || stored === undefined) return {};
  if (typeof stored !== 'object') return undefined;
  const { warnings, lintIgnores } = stored as ProjectSource;
  if (warnings !== undefined && !isRecordedWarnings(warnings)) return undefined;
  if (lintIgnores !== undefined && !(Array.isArray(lintIgnores) && lintIgnores.every((r) => typeof r === 'string')))
    return undefined;
  return { ...(warnings ? { warnings } : {}), ...(lintIgnores ? { lintIgnores } : {}) };
}

export interface SourceRecord extends ProjectSource {
  projectId: string;
}

/**
 * Records that each project now is what its source gives, at its current revision. Run last in
 * apply's transaction, after every write to those projects; it changes no revision itself.
 */
export async function recordSources(db: Kysely<DatabaseSchema>, records: readonly SourceRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((r) => ({
    id: r.projectId,
    key: r.key,
    file_projects: r.fileProjects,
    reads: r.reads,
    findings: r.warnings || r.lintIgnores ? { warnings: r.warnings, lintIgnores: r.lintIgnores } : null,
  }));
  await sql`
    update projects p set applied_revision = p.revision, manifest_digest = x.key, manifest_file_projects = x.file_projects,
      manifest_reads = x.reads, manifest_findings = x.findings
    from jsonb_to_recordset(${jsonb(rows)}) as x(id text, key text, file_projects integer, reads jsonb, findings jsonb)
    where p.id = x.id`.execute(db);
}
