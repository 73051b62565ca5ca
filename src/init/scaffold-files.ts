// What `argosctl init` writes into a new config repository: the settings file, one commented
// example manifest, a .gitignore, a package.json that pins argosctl for the workflows and the
// editor schema, and the three workflows. The workflows are the hardened examples/github/*.yml
// (test/cli/init.test.ts keeps them identical apart from the first comment line).

export interface ScaffoldFile {
  /** Relative to the folder init runs in, with / separators. */
  path: string;
  content: string;
}

const CONFIG = `# yaml-language-server: $schema=node_modules/argosctl/schemas/config.v1.json
# argosctl settings for this repository. argosctl finds this file from any subfolder (up to the git
# root). Every setting: \`npx argosctl schema config\`.
apiVersion: argosctl/v1
kind: Organization
# The manifest folder, relative to this file.
manifests: projects
# The database. Unset, argosctl uses the embedded database in .argos/db next to this file, which is
# right for trying things locally (it is git-ignored). The workflows pass ARGOS_DATABASE_URL from a
# repository secret, which overrides this setting. Never write a password here; to require the
# variable everywhere, uncomment:
# database: env:ARGOS_DATABASE_URL
`;

const EXAMPLE = `# yaml-language-server: $schema=../node_modules/argosctl/schemas/project.v1.json
# An example project: rename it, edit it, then run \`npx argosctl plan\` to see what would change and
# \`npx argosctl apply\` to write it. Every setting, with defaults: \`npx argosctl schema\`.
# One YAML document per project; a file may hold several, separated by ---.
apiVersion: argosctl/v1
kind: Project
metadata:
  id: my-first-project        # the ARGOS project id: the stable key, never changed once applied
  name: My first project
spec:
  status: TRIAL               # OPEN | TEST | TRIAL | CLOSE
  submissions: normal         # normal | emergency-stop
  authMethods:
    idDocument:               # ID document verification
      enabled: true
      userPolicy: { scoreThreshold: standard, ageLimit: 18 }
      fraudDetection:
        faceMatch: { enabled: true, threshold: 70 }
    knowledgeBased:
      enabled: false
  liveform:
    privateMode: true         # a completed Liveform URL cannot be used again
  security:
    privacyProtection: true   # blur ID images and numbers in the dashboard
    ipWhitelist:              # empty: no restriction
      dashboard: []
      api: []
  admins:
    - email: you@example.com
`;

const GITIGNORE = `# the embedded database argosctl uses when no database is configured
.argos/
node_modules/
`;

export function packageJson(version: string): string {
  const manifest = {
    private: true,
    description: 'ARGOS projects as code, managed with argosctl',
    scripts: { validate: 'argosctl validate', plan: 'argosctl plan' },
    devDependencies: { argosctl: `^${version}` },
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

const WORKFLOWS: Record<string, string> = {
  '.github/workflows/argosctl-plan.yml': `# Written by \`argosctl init\`: validate and plan every pull request that touches
# the manifests; the plan (or the validation errors) is posted as one comment, updated on every push.
#
# The pull request is untrusted. argosctl is installed from the BASE branch (its package.json and
# lockfile, in ./base); the pull request is checked out into ./pr as data only: none of its scripts,
# package.json or lockfile ever runs, and no step that holds a secret executes code from it.
# Alternative: install a pinned published version (npm install --global argosctl@X.Y.Z --ignore-scripts).
name: argosctl plan
on:
  pull_request:
    paths: ['projects/**', 'argosctl.yaml']
permissions:
  contents: read
  pull-requests: write   # the plan comment
  statuses: write        # the argosctl/plan commit status
concurrency:
  group: argosctl-plan-\${{ github.event.pull_request.number }}
  cancel-in-progress: true
jobs:
  plan:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    env:
      ARGOSCTL: \${{ github.workspace }}/base/node_modules/.bin/argosctl
    steps:
      - name: Check out the base branch (the tool)
        uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with:
          ref: \${{ github.event.pull_request.base.sha }}
          path: base
          persist-credentials: false
      - name: Check out the pull request (data only)
        uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with:
          path: pr
          persist-credentials: false
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
        with: { node-version: 20 }
      - name: Install argosctl from the base branch
        working-directory: base
        run: npm ci --no-audit --no-fund
      - name: Validate (annotations on the diff)
        working-directory: pr
        run: '"$ARGOSCTL" validate --format github'
      - name: Plan and comment (the validation errors when invalid)
        if: \${{ !cancelled() }}   # also when validation failed: the comment then lists the errors
        working-directory: pr
        run: '"$ARGOSCTL" github comment'
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
          # a login in the read-only role printed by \`argosctl db roles\` (argosctl_plan)
          ARGOS_DATABASE_URL: \${{ secrets.ARGOS_DATABASE_URL_PLAN }}
`,
  '.github/workflows/argosctl-apply.yml': `# Written by \`argosctl init\`: apply on merge to main, one run at a time.
# The audit rows record the merge commit, its author and the PR number. Only merged, reviewed
# code runs here, so installing from this checkout is fine.
name: argosctl apply
on:
  push:
    branches: [main]
    paths: ['projects/**', 'argosctl.yaml']
permissions:
  contents: read
concurrency:
  group: argosctl-apply     # never two applies at once (argosctl also takes a database lock)
  cancel-in-progress: false
jobs:
  apply:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    environment: production  # require a reviewer here if you want a human gate
    steps:
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with: { persist-credentials: false }
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
        with: { node-version: 20, cache: npm }
      - run: npm ci --no-audit --no-fund
      - name: Apply
        # Risky changes (see README) are refused with exit 3 unless allowed in argosctl.yaml.
        # With CI set and no database configured, argosctl refuses to apply (exit 1).
        run: npx argosctl apply --auto-approve --lock-timeout 5m
        env:
          # a login in the apply role printed by \`argosctl db roles\` (argosctl_apply): rows, no DDL
          ARGOS_DATABASE_URL: \${{ secrets.ARGOS_DATABASE_URL }}
`,
  '.github/workflows/argosctl-drift.yml': `# Written by \`argosctl init\`: every hour, report changes made outside git
# (someone used the dashboard). One issue labelled argosctl-drift is opened, kept up to date
# while the drift lasts, and closed when it is gone.
name: argosctl drift
on:
  schedule:
    - cron: '17 * * * *'
  workflow_dispatch: {}
permissions:
  contents: read
  issues: write
jobs:
  drift:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with: { persist-credentials: false }
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
        with: { node-version: 20, cache: npm }
      - run: npm ci --no-audit --no-fund
      - name: Drift
        # exit 2 means drift was found (and reported in the issue); that is not a failure here
        run: npx argosctl drift --github-issue || [ $? -eq 2 ]
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
          # a login in the read-only role printed by \`argosctl db roles\` (argosctl_plan)
          ARGOS_DATABASE_URL: \${{ secrets.ARGOS_DATABASE_URL_PLAN }}
`,
};

export function scaffoldFiles(version: string): ScaffoldFile[] {
  return [
    { path: 'argosctl.yaml', content: CONFIG },
    { path: 'projects/example.yaml', content: EXAMPLE },
    { path: '.gitignore', content: GITIGNORE },
    { path: 'package.json', content: packageJson(version) },
    ...Object.entries(WORKFLOWS).map(([path, content]) => ({ path, content })),
  ];
}
