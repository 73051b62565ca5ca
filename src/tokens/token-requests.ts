// Token operations as a request states them, shared by both faces: the CLI's `tokens` commands and
// the Token API's routes read their arguments, call these, and only shape the answer. Every check
// (project, CLOSE, limits, the cap, ID format) happens in here or in token-store.ts below it, so a
// request refused by one face is refused by the other with the same code.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import { parseTokenImport, type ImportProblem, type ParsedImport } from './import-file.js';
import { TokenError } from './token-errors.js';
import { deleteOldestTokens, deleteTokens, registerTokens, type RegisterResult } from './token-store.js';

/** Which tokens to delete: given IDs (at most 500) or the N oldest (at most 5,000), never both. */
export interface DeleteRequest {
  ids?: readonly string[];
  oldest?: number;
}

export async function deleteRequest(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  request: DeleteRequest,
): Promise<{ deleted: number }> {
  const ids = request.ids?.length ? request.ids : undefined;
  if ((ids === undefined) === (request.oldest === undefined))
    throw new TokenError(
      'invalid_payload',
      'give token IDs or the number of oldest tokens to delete, not both and not neither',
      'argosctl tokens delete PROJECT ID… or --oldest N; over HTTP {"tokenIds": [...]} or ?oldest=N',
    );
  const deleted =
    request.oldest !== undefined
      ? await deleteOldestTokens(db, projectId, request.oldest)
      : await deleteTokens(db, projectId, ids!);
  return { deleted };
}

/** An import file with bad lines: nothing is registered; `problems` names each line. */
export class ImportRefused extends TokenError {
  constructor(
    readonly file: string,
    readonly problems: ImportProblem[],
  ) {
    super(
      'invalid_token_id_format',
      `${problems.length} invalid line(s) in ${file}; nothing registered (${problems
        .slice(0, 3)
        .map((p) => `line ${p.line}: ${p.message}`)
        .join('; ')}${problems.length > 3 ? '; …' : ''})`,
      'a token ID is 8 to 64 bytes of a-z A-Z 0-9 - _ . starting and ending with a letter or digit',
    );
  }
}

export type ImportResult = RegisterResult & { format: ParsedImport['format']; ids: number };

/**
 * `tokens import FILE` and POST /v1/projects/{pid}/tokens/import: every ID of the file (lines, CSV
 * or NDJSON; `file` is its name, which helps tell the format) registered, or none.
 */
export async function importTokens(
  db: Kysely<DatabaseSchema>,
  projectId: string,
  file: string,
  text: string,
  onProgress?: (done: number) => void,
): Promise<ImportResult> {
  const parsed = parseTokenImport(file, text);
  if (parsed.problems.length) throw new ImportRefused(file, parsed.problems);
  if (parsed.ids.length === 0) throw new TokenError('invalid_payload', `${file} holds no token ID; nothing registered`);
  const r = await registerTokens(db, projectId, parsed.ids, onProgress);
  return { ...r, format: parsed.format, ids: parsed.ids.length };
}
