// Option parsing shared by several commands.
import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../util/duration.js';

export const dirOption = () =>
  new Option('--dir <dir>', 'manifest folder, searched recursively for *.yaml / *.yml').default(
    'projects',
    'manifests: in argosctl.yaml (found walking up to the git root), else projects/ next to it',
  );
export const databaseOption = () =>
  new Option(
    '--database-url <url>',
    'postgres://…, pglite:PATH or memory: (default: $ARGOS_DATABASE_URL, else database: in argosctl.yaml, else pglite:.argos/db next to argosctl.yaml or at the git root)',
  );
export const commentAuthorOption = () =>
  new Option(
    '--comment-author <login>',
    "the GitHub login argosctl posts as; only its own comment or issue is updated (default: the token's user, else github-actions[bot])",
  );
export const projectOption = () =>
  new Option('--project <id>', 'limit to this project (repeatable)').argParser(collect).default([] as string[]);

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function formatOption(choices: string[]): Option {
  return new Option('--format <format>', 'output format').choices(choices).default(choices[0]);
}

export function parseDurationMs(value: string): number {
  if (value === '0') return 0;
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError('expected a duration such as 0, 30s, 2m or 1h');
  return seconds * 1000;
}

export const noCacheOption = () =>
  new Option(
    '--no-cache',
    'check every manifest file, including those unchanged since they were last checked (same result, slower)',
  );

/** Repeated warnings are summarised (src/render/repeated-warnings.ts); this lists every one. */
export const verboseOption = () =>
  new Option('--verbose', 'list every warning, also of a rule repeated across more than 10 projects');
