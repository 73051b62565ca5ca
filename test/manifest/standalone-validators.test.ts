// The validators precompiled at build (dist/manifest/validators.generated.js, from
// scripts/build-validators.mjs) against the schemas compiled from source: same verdict and the
// same errors (keyword, place, parameters, the x-allowed text) on every example, every invalid
// fixture and many mutations of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileValidators, validatorName, type Validators } from '../../src/manifest/schemas.js';
import { versionOf } from '../../src/manifest/versions/registry.js';
import { ROOT } from '../helpers/cli.js';
import { depth } from '../helpers/deep.js';

let built: Validators;
let source: Validators;

beforeAll(async () => {
  built = (await import(pathToFileURL(path.join(ROOT, 'dist/manifest/validators.generated.js')).href)) as Validators;
  source = await compileValidators();
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(n) ? [full] : [];
  });
}

const documents = [...yamlFiles('examples'), ...yamlFiles('test/fixtures/invalid')]
  .flatMap((f) => {
    try {
      return parseAllDocuments(readFileSync(f, 'utf8')) as { toJS(options?: object): unknown }[];
    } catch {
      return [];
    }
  })
  .flatMap((d) => {
    try {
      return [d.toJS({ maxAliasCount: 100 })];
    } catch {
      return [];
    }
  })
  .filter((v) => v && typeof v === 'object');

const shape = (e: ErrorObject) => ({
  keyword: e.keyword,
  instancePath: e.instancePath,
  schemaPath: e.schemaPath,
  params: e.params,
  message: e.message,
  data: e.data,
  allowed: (e.parentSchema as Record<string, unknown> | undefined)?.['x-allowed'],
});

function verdict(validate: ValidateFunction, value: unknown) {
  const ok = validate(value);
  return { ok, errors: (validate.errors ?? []).map(shape) };
}

function expectSame(value: unknown) {
  const kind = (value as { kind?: unknown }).kind === 'Organization' ? 'config' : validatorName(versionOf(value));
  expect(verdict(built[kind], value)).toEqual(verdict(source[kind], value));
}

/** A value with one place changed: a key dropped, or a value replaced by another JSON value. */
const mutated = fc
  .tuple(
    fc.constantFrom(...documents),
    fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('yes', 0, -1, 101, '', 'x'.repeat(300), 'KP', '24hours', '10.0.0.0/8'),
    ),
  )
  .map(([doc, picks, replacement]) => {
    const copy = structuredClone(doc) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (const [i, pick] of picks.entries()) {
      const keys = Object.keys(node);
      if (!keys.length) break;
      const key = keys[pick % keys.length];
      const child = node[key];
      if (i === picks.length - 1 || !child || typeof child !== 'object') {
        if (replacement === undefined) delete node[key];
        else node[key] = replacement;
        break;
      }
      node = child as Record<string, unknown>;
    }
    return copy;
  });

describe('standalone validators agree with the source schemas', () => {
  it('has documents to check', () => expect(documents.length).toBeGreaterThan(20));

  it('on every example and invalid fixture', () => {
    for (const doc of documents) expectSame(doc);
  });

  it('on mutations of them', () => {
    fc.assert(
      fc.property(mutated, (doc) => {
        expectSame(doc);
      }),
      // a fifth by default; ARGOS_DEEP=1 runs them all (test/helpers/deep.ts)
      { numRuns: depth(2000) },
    );
  });
});
