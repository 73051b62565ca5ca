// The version of argosctl itself (package.json), recorded in every plan.
import { readFileSync } from 'node:fs';

export const ARGOSCTL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
