#!/usr/bin/env node
// Writes docs/manifest-reference.md from the published JSON Schemas (schemas/project.v2.json and
// schemas/config.v1.json): one row per manifest path with what is allowed, the default and the
// schema's own description, so the reference cannot drift from what validate checks.
// `npm run docs:manifests` rewrites it; test/cli/manifest-reference.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_FILE = path.join(ROOT, 'docs/manifest-reference.md');

/** The schemas the reference covers, in the order of its sections. */
export const REFERENCE_SCHEMAS = [
  {
    file: 'schemas/project.v2.json',
    heading: 'Project manifests (`argosctl/v2`)',
    intro:
      'One YAML document per project under the manifest folder. Files still in `argosctl/v1` are read too; ' +
      '`argosctl migrate` rewrites them (see [versions](versions.md)).',
  },
  {
    file: 'schemas/config.v1.json',
    heading: '`argosctl.yaml` (`argosctl/v1`, kind `Organization`)',
    intro: 'Organisation-wide settings at the manifest root: folders, database, regions, policy, the dashboard.',
  },
];

/** A schema node with its `$ref` resolved: the node's own words win over the definition's. */
function resolve(node, root) {
  if (!node || typeof node !== 'object' || !node.$ref) return node ?? {};
  const target = node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((at, key) => at?.[key], root);
  const { $ref, ...own } = node;
  return { ...resolve(target, root), ...own };
}

const oneLine = (text) => String(text).replace(/\s+/g, ' ').trim();
const cell = (text) => oneLine(text).replace(/\|/g, '\\|');
const code = (value) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

/** What a value may be, in words: the schema's x-allowed when it has one, else from its keywords. */
function allowed(node, root) {
  if (node['x-allowed']) return node['x-allowed'];
  if ('const' in node) return code(node.const);
  if (node.enum) return node.enum.map(code).join(', ');
  if (node.type === 'array') {
    const item = resolve(node.items, root);
    return item.type === 'object' ? 'a list of objects (below)' : `a list of: ${allowed(item, root)}`;
  }
  const alternatives = node.oneOf ?? node.anyOf;
  if (alternatives) return alternatives.map((a) => allowed(resolve(a, root), root)).join('; or ');
  const type = Array.isArray(node.type) ? node.type.join(' or ') : node.type;
  const bounds = [
    node.minimum !== undefined ? `from ${node.minimum}` : '',
    node.maximum !== undefined ? `to ${node.maximum}` : '',
    node.pattern ? `matching ${code(node.pattern)}` : '',
  ].filter(Boolean);
  if (type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object')
    return 'a map (below)';
  return [type ?? 'any value', ...bounds].join(' ');
}

/** Every path of the schema, depth first in the schema's own order. */
export function manifestRows(schema) {
  const rows = [];
  const seen = new Set();
  const visit = (raw, at, required, fallback) => {
    const node = resolve(raw, schema);
    if (at && !seen.has(at)) {
      seen.add(at);
      rows.push({
        path: at,
        allowed: allowed(node, schema),
        default: 'default' in node ? code(node.default) : required ? 'required' : '',
        description: node.description ?? fallback ?? node.title ?? '',
      });
    }
    const needed = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties ?? {}))
      visit(child, at ? `${at}.${key}` : key, needed.has(key));
    if (node.type === 'array' && node.items) {
      const item = resolve(node.items, schema);
      if (item.properties) visit(item, `${at}[]`, false, `each item of \`${at}\``);
    }
    const values = node.additionalProperties;
    if (values && typeof values === 'object' && resolve(values, schema).properties)
      visit(values, `${at}.<name>`, false, `each entry of \`${at}\``);
    for (const alternative of [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])])
      if (resolve(alternative, schema).properties) visit({ ...alternative, description: undefined }, at, false);
  };
  visit(schema, '', false);
  return rows;
}

export function renderManifestReference(read = (file) => readFileSync(path.join(ROOT, file), 'utf8')) {
  const out = [
    '# Manifest reference',
    '',
    '[README](../README.md) · [all docs](README.md) · [manifests: rules, lint and policy](manifests.md)',
    '',
    '<!-- Generated from the JSON Schemas by scripts/build-manifest-reference.mjs (`npm run docs:manifests`);',
    '     do not edit by hand: test/cli/manifest-reference.test.ts fails when this page is stale. -->',
    '',
    'Every path a manifest may hold, with what is allowed, the default and what it does, as the',
    'published schemas say (editors with the YAML language server show the same descriptions).',
    '`[]` marks the items of a list, `<name>` the keys of a map.',
  ];
  for (const section of REFERENCE_SCHEMAS) {
    const schema = JSON.parse(read(section.file));
    out.push('', `## ${section.heading}`, '', `${section.intro} Schema: \`${section.file}\`.`, '');
    out.push('| path | allowed | default | description |', '|---|---|---|---|');
    for (const row of manifestRows(schema))
      out.push(`| \`${row.path}\` | ${cell(row.allowed)} | ${cell(row.default)} | ${cell(row.description)} |`);
  }
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(REFERENCE_FILE, renderManifestReference());
  console.error(`wrote ${path.relative(process.cwd(), REFERENCE_FILE)}`);
}
