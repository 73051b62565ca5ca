// The JSON Schemas shipped in schemas/: the validators precompiled at build (scripts/build-validators.mjs
// writes dist/manifest/validators.generated.js; compiling them costs ~0.3 s a start), or compiled
// here when running from source (tests).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

const schemaDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

export function readSchema(name: 'project.v1.json' | 'config.v1.json'): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaDir + name, 'utf8'));
}

export interface Validators {
  project: ValidateFunction;
  config: ValidateFunction;
}

/** Compiles the schemas with the options the build uses (kept equal to scripts/build-validators.mjs). */
export async function compileValidators(): Promise<Validators> {
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-allowed', schemaType: 'string' });
  return { project: ajv.compile(readSchema('project.v1.json')), config: ajv.compile(readSchema('config.v1.json')) };
}

const generated = new URL('./validators.generated.js', import.meta.url);

/** The precompiled validators of this build, or undefined when running from source. */
export async function standaloneValidators(): Promise<Validators | undefined> {
  return existsSync(fileURLToPath(generated)) ? (await import(generated.href)) as Validators : undefined;
}

let loaded: Validators | undefined;

export async function schemaValidators(): Promise<Validators> {
  loaded ??= (await standaloneValidators()) ?? (await compileValidators());
  return loaded;
}
