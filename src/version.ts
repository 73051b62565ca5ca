// The version of argosctl itself (package.json), recorded in every plan, and where to report bugs:
// package.json is the one place that names the repository.
import { readFileSync } from 'node:fs';
import { packagePath } from './package-root.js';

const PACKAGE = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
  version: string;
  bugs?: { url?: string };
};

export const ARGOSCTL_VERSION: string = PACKAGE.version;

/** Where users report a bug (package.json `bugs.url`). */
export const BUGS_URL: string = PACKAGE.bugs?.url ?? '';
