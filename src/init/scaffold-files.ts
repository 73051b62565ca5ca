// What `argosctl init` writes into a new config repository: the settings file, one commented
// example manifest, a .gitignore, a package.json that pins argosctl for the workflows and the
// editor schema, and the three workflows (the hardened examples/github/*.yml).
import { packagePath } from '../package-root.js';
import { readFileSync } from 'node:fs';

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

const EXAMPLE = `# yaml-language-server: $schema=../node_modules/argosctl/schemas/project.v2.json
# An example project: rename it, edit it, then run \`npx argosctl plan\` to see what would change and
# \`npx argosctl apply\` to write it. Every setting, with defaults: \`npx argosctl schema\`.
# One YAML document per project; a file may hold several, separated by ---.
apiVersion: argosctl/v2
kind: Project
metadata:
  id: my-first-project # the ARGOS project id: the stable key, never changed once applied
  name: My first project
spec:
  status: TRIAL # OPEN | TEST | TRIAL | CLOSE
  submissions: normal # normal | emergency-stop
  authMethods:
    idDocument: # ID document verification
      enabled: true
      userPolicy: { scoreThreshold: standard, ageLimit: 18 }
      fraudDetection:
        faceMatch: { enabled: true, threshold: 70 }
    knowledgeBased:
      enabled: false
  liveform:
    privateMode: true # a completed Liveform URL cannot be used again
    tokens:
      preRegistration: true # only token IDs registered with \`argosctl tokens register\` open the Liveform
      expiration: { mode: count } # each token opens it once
  encryption:
    methods: [GCM] # encrypted Liveform URLs: GCM (recommended), ECB, or both
  security:
    privacyProtection: true # blur ID images and numbers in the dashboard
    ipWhitelist: # empty: no restriction
      dashboard: []
      api: []
  admins:
    - email: you@example.com
      role: Owner # Owner | Leader | Member | Guest (read-only)
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

/**
 * The workflows are the hardened examples/github/*.yml, shipped in the package and read from it,
 * so there is one copy to keep safe; only the first comment line changes.
 */
function workflow(name: 'plan' | 'apply' | 'drift'): ScaffoldFile {
  const example = readFileSync(packagePath('examples', 'github', `${name}.yml`), 'utf8');
  const content = example.replace(
    /^# Copy to \.github\/workflows\/argosctl-[a-z]+\.yml:/,
    '# Written by `argosctl init`:',
  );
  return { path: `.github/workflows/argosctl-${name}.yml`, content };
}

export function scaffoldFiles(version: string): ScaffoldFile[] {
  return [
    { path: 'argosctl.yaml', content: CONFIG },
    { path: 'projects/example.yaml', content: EXAMPLE },
    { path: '.gitignore', content: GITIGNORE },
    { path: 'package.json', content: packageJson(version) },
    workflow('plan'),
    workflow('apply'),
    workflow('drift'),
  ];
}
