// argosctl policy test: the organisation policy of argosctl.yaml against the manifests; per rule,
// which projects it touched. Reads no database.
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { readManifests } from '../../validate/read-manifests.js';
import { policyTest } from '../../policy/policy-test.js';
import { renderDiagnosticsText } from '../../render/diagnostics.js';
import { jsonDocument } from '../../render/json-document.js';
import { renderPolicyText } from '../../render/policy-report.js';
import type { CliContext } from '../context.js';
import { dirOption, formatOption } from '../options.js';

export function policyCommand(ctx: CliContext): Command {
  const policy = new Command('policy').description(
    'the organisation policy of argosctl.yaml (policy: requireRegion, rules)',
  );
  policy
    .command('test')
    .description(
      'run the policy against the manifests: per rule, the projects that meet it and those that violate it; ' +
        'exit 1 on violations',
    )
    .addOption(dirOption())
    .addOption(formatOption(['text', 'json']))
    .action(async (opts: { dir: string; format: 'text' | 'json' }) => {
      const result = policyTest(await readManifests(opts.dir));
      if (opts.format === 'json') {
        const { problems, ...rest } = result;
        ctx.out(jsonDocument('policy-test', { ...rest, diagnostics: problems }));
      } else {
        if (result.problems.length) {
          ctx.err(
            renderDiagnosticsText(result.problems, ctx.errStyle) +
              `${result.problems.length} other problem(s): the projects they concern were not tested.\n`,
          );
        }
        ctx.out(renderPolicyText(result, ctx.style));
      }
      if (result.violations > 0 || result.problems.length > 0) throw new ExitCode(1);
    });
  return policy;
}
