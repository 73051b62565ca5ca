// `argosctl --version`: the bare version, or with `--format json` one document naming the version,
// the Node.js running it and the schema versions this build publishes (the files in schemas/).
import { readdirSync } from 'node:fs';
import { jsonDocument } from '../render/json-document.js';
import { ARGOSCTL_VERSION } from '../version.js';
import { packagePath } from '../package-root.js';

/** The one reading of package.json's version (src/version.ts), which plans record too. */
export const packageVersion: string = ARGOSCTL_VERSION;

export interface VersionInfo {
  version: string;
  node: string;
  /** Schema names such as `project.v1`, `config.v1`. */
  schemas: string[];
}

export function versionInfo(): VersionInfo {
  const schemas = readdirSync(packagePath('schemas'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  return { version: packageVersion, node: process.version, schemas };
}

/** The version text for the user's arguments: JSON when they also asked for `--format json`. */
export function versionOutput(args: readonly string[]): string {
  const json = args.some((a, i) => a === '--format=json' || (a === '--format' && args[i + 1] === 'json'));
  return json ? jsonDocument('version', versionInfo()) : `${packageVersion}\n`;
}
