// argosctl schema [project|config]: the published JSON Schema (json) or a readable list of its
// properties with types, defaults and descriptions (text).
import { Argument, Command } from 'commander';
import { readSchema } from '../../manifest/schemas.js';
import { CURRENT_VERSION, VERSIONS, schemaFileOf, shortVersion } from '../../manifest/versions/registry.js';
import { schemaProperties } from '../../manifest/schema-properties.js';
import { renderSchemaText } from '../../render/schema-text.js';
import type { CliContext } from '../context.js';
import { formatOption } from '../options.js';

// `project` is the current manifest version; older versions stay printable by name (project-v1).
const FILES: Record<string, string> = {
  project: schemaFileOf(CURRENT_VERSION),
  ...Object.fromEntries(
    VERSIONS.filter((v) => v !== CURRENT_VERSION).map((v) => [`project-${shortVersion(v)}`, schemaFileOf(v)]),
  ),
  config: 'config.v1.json',
};

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the manifest schema (project) or the argosctl.yaml schema (config)')
    .addArgument(new Argument('[schema]', 'which schema').choices(Object.keys(FILES)).default('project'))
    .addOption(formatOption(['text', 'json']))
    .action((which: string, opts: { format: 'text' | 'json' }) => {
      const schema = readSchema(FILES[which]);
      // json: the schema document itself, unchanged, so editors and validators can use it directly.
      if (opts.format === 'json') ctx.out(JSON.stringify(schema, null, 2) + '\n');
      else ctx.out(renderSchemaText(`schemas/${FILES[which]}`, schemaProperties(schema), ctx.style));
    });
}
