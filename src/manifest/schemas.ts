// The JSON Schemas shipped in schemas/, compiled once per process.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const schemaDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

export function readSchema(name: 'project.v1.json' | 'config.v1.json'): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaDir + name, 'utf8'));
}

let compiled: { project: ValidateFunction; config: ValidateFunction } | undefined;

export function schemaValidators(): { project: ValidateFunction; config: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-allowed', schemaType: 'string' });
    compiled = { project: ajv.compile(readSchema('project.v1.json')), config: ajv.compile(readSchema('config.v1.json')) };
  }
  return compiled;
}
