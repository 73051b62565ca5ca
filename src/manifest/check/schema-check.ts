// Stage 2 of validation: JSON Schema errors turned into diagnostics that say what is allowed.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest } from '../../util/levenshtein.js';
import { formatPath, type Diagnostic } from '../diagnostic.js';
import { describeValue as describe, quote } from '../excerpt.js';
import { LIMITS } from '../limits.js';
import { readSchema } from '../schemas.js';
import { locate, type ParsedDocument } from '../read/yaml-position.js';

type Seg = string | number;

function toPath(instancePath: string): Seg[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const idDocumentOnly = (() => {
  const defs = (
    readSchema('project.v1.json') as { definitions: Record<string, { properties: Record<string, unknown> }> }
  ).definitions;
  const only = (a: string, b: string) => Object.keys(defs[a].properties).filter((k) => !(k in defs[b].properties));
  return new Set([
    ...only('IdDocumentUserPolicy', 'KnowledgeBasedUserPolicy'),
    ...only('IdDocumentFraudDetection', 'KnowledgeBasedFraudDetection'),
  ]);
})();

function allowedOf(err: ErrorObject): string | undefined {
  return (err.parentSchema as Record<string, unknown> | undefined)?.['x-allowed'] as string | undefined;
}

function toDiagnostic(parsed: ParsedDocument, err: ErrorObject): Diagnostic {
  const path = toPath(err.instancePath);
  const at = (p: Seg[], atKey = false) => ({ file: parsed.file, ...locate(parsed, p, atKey) });
  const base = { severity: 'error' as const, rule: `schema.${err.keyword}` };
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const full = [...path, key];
      const allowedKeys = Object.keys((err.parentSchema as { properties?: object })?.properties ?? {});
      if (path.includes('knowledgeBased') && idDocumentOnly.has(key)) {
        return {
          ...base,
          rule: 'schema.id-document-only',
          ...at(full, true),
          path: formatPath(full),
          message: `${quote(key)} applies only to ID document authentication (🪪), not to Knowledge-based (💡)`,
          allowed: `one of: ${allowedKeys.join(', ')}`,
          hint: 'move it under spec.authMethods.idDocument',
        };
      }
      const guess = closest(key, allowedKeys);
      return {
        ...base,
        rule: 'schema.unknown-field',
        ...at(full, true),
        path: formatPath(full),
        message: `unknown field ${quote(key)}`,
        allowed: allowedKeys.length ? `one of: ${allowedKeys.join(', ')}` : 'no fields here',
        hint: guess ? `did you mean "${guess}"?` : undefined,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        ...base,
        ...at(path, true),
        path: formatPath(path),
        message: `missing required field "${key}"`,
        allowed: `add ${formatPath([...path, key])}`,
      };
    }
    case 'type':
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: `wrong type: ${describe(err.data)}`,
        allowed: allowedOf(err) ?? `a value of type ${String(params.type).replace(',', ' or ')}`,
      };
    case 'enum':
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: `${describe(err.data)} is not allowed here`,
        allowed: `one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const': {
      const field = path[path.length - 1];
      const what =
        field === 'apiVersion' || field === 'kind'
          ? `unknown ${field} ${typeof err.data === 'string' ? describe(err.data).replace(/^string /, '') : describe(err.data)}`
          : `${describe(err.data)} is not allowed here`;
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: what,
        allowed: allowedOf(err) ?? JSON.stringify(params.allowedValue),
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...base,
        rule: 'schema.range',
        ...at(path),
        path: formatPath(path),
        message: `${describe(err.data)} is out of range`,
        allowed: allowedOf(err) ?? err.message,
      };
    case 'pattern':
    case 'minLength':
    case 'maxLength':
    case 'format':
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: `${describe(err.data)} is not valid here`,
        allowed: allowedOf(err) ?? err.message,
      };
    case 'anyOf':
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: `${describe(err.data)} is not valid here`,
        allowed: allowedOf(err) ?? 'see the schema',
      };
    case 'uniqueItems':
      return {
        ...base,
        ...at([...path, Number(params.i)]),
        path: formatPath([...path, Number(params.i)]),
        message: `duplicate entry (same as item ${params.j})`,
        allowed: 'each entry once',
      };
    case 'propertyNames': {
      const key = String(params.propertyName);
      return {
        ...base,
        ...at([...path, key], true),
        path: formatPath([...path, key]),
        message: `key ${quote(key)} is not a valid name here`,
        allowed: 'see the schema for the allowed pattern',
      };
    }
    default:
      return {
        ...base,
        ...at(path),
        path: formatPath(path),
        message: err.message ?? 'invalid value',
        allowed: allowedOf(err),
      };
  }
}

/** Errors nested inside an anyOf are noise once the anyOf itself is reported; so are pattern errors of a propertyNames. */
function significant(errors: ErrorObject[]): ErrorObject[] {
  const anyOfSchemaPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors.filter((e) => {
    if (e.keyword !== 'anyOf' && anyOfSchemaPaths.some((p) => e.schemaPath.startsWith(p + '/'))) return false;
    if (e.schemaPath.includes('/propertyNames/') && e.keyword !== 'propertyNames') return false;
    return true;
  });
}

/**
 * The document's schema problems: the first LIMITS.problemsPerDocument located, the rest counted in
 * one closing entry; with `show` false (a file past its reporting bound) all are counted, none located.
 */
export function checkSchema(parsed: ParsedDocument, validate: ValidateFunction, show = true): Diagnostic[] {
  if (validate(parsed.value)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  let omitted = 0;
  for (const err of significant(validate.errors ?? [])) {
    // Past the bound, problems are only told apart and counted: locating 100,000 of them costs seconds.
    // An error told apart by where and what (ajv repeats one through several schema branches).
    const raw = `${err.instancePath}|${err.keyword}|${JSON.stringify(err.params)}`;
    if (seen.has(raw)) continue;
    seen.add(raw);
    if (!show || out.length >= LIMITS.problemsPerDocument) {
      omitted++;
      continue;
    }
    const d = toDiagnostic(parsed, err);
    const key = `${d.path}|${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  if (omitted) {
    const last = out[out.length - 1] ?? { ...locate(parsed, []) };
    out.push({
      severity: 'error',
      rule: 'limits.problems',
      file: parsed.file,
      line: last.line,
      column: last.column,
      path: '(document)',
      message: `… and ${omitted.toLocaleString('en')} more schema problem(s) in this document not shown`,
      allowed: `at most ${LIMITS.problemsPerDocument.toLocaleString('en')} schema problems are shown per document`,
      omitted,
    });
  }
  return out;
}
