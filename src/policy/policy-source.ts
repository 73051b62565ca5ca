// Where the rules that relax guards are trusted from: `--policy-from REF`, or in GitHub Actions
// the revision before the change (the base branch for a pull request, the commit before the push
// for an apply on merge), and argosctl.yaml as it is at that revision, read with git. The working
// tree's argosctl.yaml belongs to the change under review, so it cannot vouch for itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { excerpt } from '../manifest/excerpt.js';
import { EMPTY_ORGANIZATION, type Organization } from '../manifest/organization.js';
import { schemaValidators } from '../manifest/schemas.js';
import type { PolicyBasis } from '../plan/guards.js';

const MAX_CONFIG_BYTES = 1024 * 1024;
const ZERO_COMMIT = /^0{40}$/;

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
      maxBuffer: MAX_CONFIG_BYTES + 1024,
    });
  } catch {
    return undefined;
  }
}

/** The commit a revision names; the revision comes after --end-of-options, so it is never an option. */
function resolveCommit(cwd: string, ref: string): string | undefined {
  return git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])?.trim() || undefined;
}

function pushedBefore(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const before = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))?.before;
    return typeof before === 'string' && /^[0-9a-f]{40}$/.test(before) && !ZERO_COMMIT.test(before)
      ? before
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The revision to trust when --policy-from is not given: in GitHub Actions the base branch of a
 * pull request (origin/GITHUB_BASE_REF), or for a push the commit before it (the event's `before`,
 * else HEAD^1); elsewhere none, and the working tree's argosctl.yaml is used as it is.
 */
export function defaultPolicyRef(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (event.startsWith('pull_request') && env.GITHUB_BASE_REF) return `origin/${env.GITHUB_BASE_REF}`;
  if (event === 'push') return pushedBefore(env) ?? 'HEAD^1';
  return undefined;
}

function checkRef(ref: string): void {
  if (ref === '' || ref.length > 200 || /[\0-\x1f\x7f]/.test(ref) || ref.startsWith('-')) {
    throw new UserError(
      `--policy-from ${JSON.stringify(excerpt(ref, 40))} is not a git revision`,
      'a branch, tag or commit, e.g. origin/main or HEAD^1',
    );
  }
}

/** argosctl.yaml as it is at `commit`, schema-checked; the empty organisation when the file is not there. */
async function organizationAt(root: string, commit: string, file: string, ref: string): Promise<Organization> {
  // `commit` is a resolved hex id, so `commit:file` can never be read as an option.
  if (git(root, ['cat-file', '-e', `${commit}:${file}`]) === undefined) return EMPTY_ORGANIZATION;
  const size = Number(git(root, ['cat-file', '-s', `${commit}:${file}`]));
  const where = `${file} at ${excerpt(ref, 60)}`;
  if (!(size <= MAX_CONFIG_BYTES)) throw new UserError(`${where} is larger than ${MAX_CONFIG_BYTES} bytes`);
  const text = git(root, ['cat-file', 'blob', `${commit}:${file}`]) ?? '';
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: false });
  } catch {
    throw new UserError(
      `${where} is not valid YAML, so its rules cannot be trusted`,
      'fix it there, or pass --policy-from',
    );
  }
  const validators = await schemaValidators();
  if (!validators.config(value)) {
    throw new UserError(
      `${where} is not a valid argosctl.yaml, so its rules cannot be trusted`,
      'fix it there, or pass --policy-from',
    );
  }
  return value as Organization;
}

export interface PolicySourceInput {
  /** --policy-from as given (undefined: the default for the environment). */
  flag?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The working tree's argosctl.yaml (whether or not it exists): the same path is read at the revision. */
  configFile: string;
}

/** The trusted revision's argosctl.yaml, or undefined when the working tree's is used (no flag, not in CI). */
export async function readPolicyBasis(input: PolicySourceInput): Promise<PolicyBasis | undefined> {
  const ref = input.flag ?? defaultPolicyRef(input.env);
  if (ref === undefined) return undefined;
  checkRef(ref);
  const from = input.flag === undefined ? ' (the default in GitHub Actions)' : '';
  const dir = path.dirname(path.resolve(input.cwd, input.configFile));
  const start = existsSync(dir) ? dir : input.cwd;
  const root = git(start, ['rev-parse', '--show-toplevel'])?.trim();
  if (!root) {
    throw new UserError(
      `--policy-from ${excerpt(ref, 60)}${from} needs a git repository, and ${excerpt(start, 80)} is not in one`,
      'run argosctl inside the repository',
    );
  }
  const commit = resolveCommit(root, ref);
  if (!commit) {
    throw new UserError(
      `--policy-from ${excerpt(ref, 60)}${from}: no such commit in this checkout, so the rules that relax guards (allow: …) cannot be read from it`,
      'fetch it (actions/checkout with fetch-depth: 0), or pass --policy-from with a revision this checkout has',
    );
  }
  const realDir = existsSync(dir) ? realpathSync(dir) : dir;
  const file = path
    .relative(realpathSync(root), path.join(realDir, path.basename(input.configFile)))
    .split(path.sep)
    .join('/');
  if (file.startsWith('..'))
    throw new UserError(`${excerpt(input.configFile, 80)} is outside the repository ${excerpt(root, 80)}`);
  return { ref, commit, file, organization: await organizationAt(root, commit, file, ref) };
}
