// The JSON Schemas shipped in schemas/: the validators precompiled at build (scripts/build-validators.mjs
// writes dist/manifest/validators.generated.js; compiling them costs ~0.3 s a start), or compiled
// here when running from source (tests). One project validator per manifest version.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { packagePath } from '../package-root.js';
import { CURRENT_VERSION, VERSIONS, schemaFileOf, shortVersion } from './versions/registry.js';

const schemaDir = `${packagePath('schemas')}/`;

/** `project.v1.json`, `project.v2.json`, `config.v1.json`, … */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaDir + name, 'utf8'));
}

/** The current project schema (what export writes and fmt orders keys by). */
export function currentProjectSchema(): Record<string, unknown> {
  return readSchema(schemaFileOf(CURRENT_VERSION));
}

/** `project_v1`, `project_v2`: the names the validators of each manifest version are exported under. */
export const validatorName = (version: string) => `project_${shortVersion(version)}`;

/**
 * Keywords of our own in the schemas, annotations only: `x-allowed` (what the diagnostics say is
 * allowed) and `x-maximum` (a bound the rules enforce where JSON Schema cannot, e.g. 24855d on a
 * duration; test/manifest/schema-bounds.test.ts ties it to the code's constant).
 */
export const ANNOTATION_KEYWORDS = ['x-allowed', 'x-maximum'] as const;

export type Validators = { config: ValidateFunction } & Record<string, ValidateFunction>;

export function projectValidator(validators: Validators, version: string): ValidateFunction {
  return validators[validatorName(version)];
}

/** Compiles the schemas with the options the build uses (kept equal to scripts/build-validators.mjs). */
export async function compileValidators(): Promise<Validators> {
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  const projects = Object.fromEntries(
    VERSIONS.map((v) => [validatorName(v), ajv.compile(readSchema(schemaFileOf(v)))]),
  );
  return { ...projects, config: ajv.compile(readSchema('config.v1.json')) };
}

// dist/manifest/ from dist/manifest/ and from the bundle in dist/bundle/; absent beside src/manifest/.
const generated = new URL('../manifest/validators.generated.js', import.meta.url);

/** The precompiled validators of this build, or undefined when running from source. */
export async function standaloneValidators(): Promise<Validators | undefined> {
  return existsSync(fileURLToPath(generated)) ? ((await import(generated.href)) as Validators) : undefined;
}

let loaded: Validators | undefined;

export async function schemaValidators(): Promise<Validators> {
  loaded ??= (await standaloneValidators()) ?? (await compileValidators());
  return loaded;
}
