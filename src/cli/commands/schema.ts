// argosctl schema [project|config]: the published JSON Schema (json) or a readable list of its
// properties with types, defaults and descriptions (text).
import { Argument, Command } from 'commander';
import { readSchema } from '../../manifest/schemas.js';
import { schemaProperties } from '../../manifest/schema-properties.js';
import { renderSchemaText } from '../../render/schema-text.js';
import type { CliContext } from '../context.js';
import { formatOption } from '../options.js';

const FILES = { project: 'project.v1.json', config: 'config.v1.json' } as const;

export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the manifest schema (project) or the argosctl.yaml schema (config)')
    .addArgument(new Argument('[which]', 'which schema').choices(Object.keys(FILES)).default('project'))
    .addOption(formatOption(['text', 'json']))
    .action((which: keyof typeof FILES, opts: { format: 'text' | 'json' }) => {
      const schema = readSchema(FILES[which]);
      // json: the schema document itself, unchanged, so editors and validators can use it directly.
      if (opts.format === 'json') ctx.out(JSON.stringify(schema, null, 2) + '\n');
      else ctx.out(renderSchemaText(`schemas/${FILES[which]}`, schemaProperties(schema), ctx.style));
    });
}
