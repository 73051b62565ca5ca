// The project id grammar, defined once. The JSON Schemas (checked by a test), the database
// constraint (migration 007), the Token API path parameters, token commands and export file
// names all use this module, so no layer accepts an id another refuses.
//
// ARGOS issues project ids as short alphanumeric strings and puts them in URLs as
// `?pid={projectId}`. The grammar admits them as issued, mixed case included, and nothing that
// needs URL-encoding or could act as a path: ASCII letters, digits, '-' and '_', starting and
// ending with a letter or digit. So '..', '/', '%', NUL, spaces and Unicode look-alikes are refused.
//
// Ids are case-sensitive (the service compares `pid` exactly and PostgreSQL text equality is
// exact), but two ids that differ only in case are refused: export writes `<id>.yaml`, and on
// the case-insensitive file systems of macOS and Windows `Kbank.yaml` and `kbank.yaml` are one
// file; people also read them as the same project.

export const PROJECT_ID_MAX_LENGTH = 63;

/** One regular expression that ECMAScript (JSON Schema) and PostgreSQL (`~`) read the same way; it bounds the length too. */
export const PROJECT_ID_PATTERN = `^[A-Za-z0-9]([A-Za-z0-9_-]{0,${PROJECT_ID_MAX_LENGTH - 2}}[A-Za-z0-9])?$`;

export const PROJECT_ID_ALLOWED =
  `letters, digits, '-' and '_', 1 to ${PROJECT_ID_MAX_LENGTH} characters, ` +
  'starting and ending with a letter or digit (case is kept; ids differing only in case are refused)';

const ID = new RegExp(PROJECT_ID_PATTERN);

export function isProjectId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** The key under which two ids count as the same project (they differ only in case). */
export function projectIdFold(id: string): string {
  return id.toLowerCase();
}
