// argosctl/v1 → argosctl/v2. What changed, and what a v1 document means in v2:
// - spec.encryption.method (one of ECB, GCM) became spec.encryption.methods, the list of methods
//   the project accepts. v1 `method: X` is `methods: [X]`. Without `method` a v1 document
//   accepts both, as the specification offers them "simultaneously" (so does v2 without
//   `methods`). argosctl once read a v1 document without `method` as GCM only: projects applied
//   then hold [GCM], and `migrate` says so (`notes`), since their next plan adds ECB.
// - spec.admins[] items carry a role (Owner, Leader, Member, Guest; required). v1 admins had
//   no role; the database stored them as members, so they are `role: Member`.
// Everything else (the API key block, lint, metadata) is the same in both versions.
import { isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { JsonSchema, Seg, TextEdit, VersionStep } from './version-step.js';
import { insertPair, pairAt, replaceScalar, wrapNode } from './yaml-edits.js';

export const V1 = 'argosctl/v1';
export const V2 = 'argosctl/v2';

/** What argosctl read a v1 manifest without `method` as, before it followed the specification (both). */
const OLD_V1_DEFAULT_METHOD = 'GCM';
/** The role v1 admins have (the database's default role). */
const V1_ADMIN_ROLE = 'Member';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `entries` with `from` renamed `to` (in place in the order), or `to` appended when `from` is absent. */
function renameKey(object: Obj, from: string, to: string, value: unknown): Obj {
  const entries = Object.entries(object).map(([k, v]) => (k === from ? [to, value] : [k, v]) as [string, unknown]);
  if (!(from in object)) entries.push([to, value]);
  return Object.fromEntries(entries);
}

type SchemaNode = Record<string, unknown> & {
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
};

function upgradeSchema(v1: JsonSchema): JsonSchema {
  const schema = structuredClone(v1) as Record<string, unknown> & {
    properties: SchemaNode['properties'];
    definitions: Record<string, SchemaNode>;
  };
  schema.$id = 'https://argosctl.dev/schemas/project.v2.json';
  schema.description = String(schema.description).replace(V1, V2);
  schema.properties.apiVersion = {
    const: V2,
    'x-allowed': `${V2} (files still in ${V1} are read too; \`argosctl migrate\` rewrites them)`,
    description: `Manifest format version. ${V1} files are still read and converted in memory; \`argosctl migrate\` rewrites them to ${V2}.`,
    examples: [V2],
  };
  const defs = schema.definitions;
  const method = defs.Encryption.properties.method;
  defs.Encryption.properties = renameKey(defs.Encryption.properties, 'method', 'methods', {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { enum: (method?.enum as string[] | undefined) ?? ['ECB', 'GCM'], 'x-allowed': 'GCM or ECB' },
    description:
      'AES-256 modes accepted for encrypted URLs: GCM (authenticated; recommended) and ECB. Absent means both, as the service offers them. Adding ECB is a guarded change.',
    default: ['GCM', 'ECB'],
    examples: [['GCM'], ['GCM', 'ECB']],
  }) as SchemaNode['properties'];
  const encryption = defs.Spec.properties.encryption;
  encryption.examples = ((encryption.examples as unknown[]) ?? []).map((e) =>
    isObject(e) && 'method' in e ? renameKey(e, 'method', 'methods', [e.method]) : e,
  );
  defs.Admin.required = [...(defs.Admin.required ?? []), 'role'];
  defs.Admin.properties.role = {
    enum: ['Owner', 'Leader', 'Member', 'Guest'],
    description:
      'Dashboard role: Owner, Leader, Member or Guest (read-only). Stored now; the service enforces tiered permissions later.',
    examples: ['Member', 'Owner'],
  };
  const admins = defs.Spec.properties.admins;
  admins.description = 'Dashboard administrators, each with a role. Removing the last admin is a guarded change.';
  admins.examples = [[{ email: 'ops@kbank.example', role: 'Owner' }]];
  return schema;
}

function upgradeValue(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Obj = { ...value, apiVersion: V2 };
  if (!isObject(value.spec)) return out;
  const spec: Obj = { ...value.spec };
  const encryption = spec.encryption;
  if (isObject(encryption) && 'method' in encryption)
    spec.encryption = renameKey(encryption, 'method', 'methods', [encryption.method]);
  if (Array.isArray(spec.admins))
    spec.admins = spec.admins.map((a) => (isObject(a) && !('role' in a) ? { ...a, role: V1_ADMIN_ROLE } : a));
  out.spec = spec;
  return out;
}

function sourcePath(path: readonly Seg[]): Seg[] {
  const [a, b, c, d, e] = path;
  if (a === 'spec' && b === 'encryption' && c === 'methods') return ['spec', 'encryption', 'method'];
  if (a === 'spec' && b === 'admins' && typeof d === 'number' && e === 'role') return ['spec', 'admins', d];
  return [...path];
}

function edits(doc: Document.Parsed, text: string): TextEdit[] {
  const root = doc.contents;
  const apiVersion = pairAt(root, 'apiVersion')?.value;
  const kind = pairAt(root, 'kind')?.value;
  // argosctl.yaml (kind Organization) keeps its own version.
  if (!isMap(root) || !isScalar(apiVersion) || apiVersion.value !== V1 || !isScalar(kind) || kind.value !== 'Project')
    return [];
  const out: TextEdit[] = [replaceScalar(apiVersion, V2)];
  const spec = pairAt(root, 'spec')?.value;
  if (!isMap(spec)) return out;

  const encryption = pairAt(spec, 'encryption');
  const method = encryption && isMap(encryption.value) ? pairAt(encryption.value, 'method') : undefined;
  if (method) {
    out.push(replaceScalar(method.key as never, 'methods'));
    out.push(wrapNode(method.value as Node, text, '[', ']'));
  }

  const admins = pairAt(spec, 'admins')?.value;
  if (isSeq(admins)) {
    for (const item of admins.items) {
      if (isMap(item) && item.items.length && !pairAt(item, 'role'))
        out.push(insertPair(text, item, item.items.at(-1) as Pair, 'role', V1_ADMIN_ROLE));
    }
  }
  return out;
}

/** A v1 Project without `method`: it now accepts ECB and GCM; applied under the old reading it holds GCM only. */
function notes(value: unknown): string[] {
  if (!isObject(value) || value.apiVersion !== V1 || value.kind !== 'Project' || !isObject(value.spec)) return [];
  const encryption = value.spec.encryption;
  if (isObject(encryption) && 'method' in encryption) return [];
  const id = isObject(value.metadata) ? String(value.metadata.id) : '?';
  return [
    `${id} does not write spec.encryption.method, so it accepts ECB and GCM (the specification's default; ` +
      `earlier argosctl read it as ${OLD_V1_DEFAULT_METHOD} only). If it was applied under that old default, ` +
      `the database holds [${OLD_V1_DEFAULT_METHOD}] and the next plan adds ECB (a guarded change); ` +
      `to keep ${OLD_V1_DEFAULT_METHOD} only, write \`encryption: { methods: [${OLD_V1_DEFAULT_METHOD}] }\``,
  ];
}

export const v1ToV2: VersionStep = { from: V1, to: V2, upgradeSchema, upgradeValue, sourcePath, edits, notes };
