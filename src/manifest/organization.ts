// argosctl.yaml: organisation-wide settings (regions with their managers and required settings,
// and rules that allow risk classes without a flag).
import type { OrganizationConfig } from './manifest-types.generated.js';

export type Organization = OrganizationConfig;

export const EMPTY_ORGANIZATION: Organization = { apiVersion: 'argosctl/v1', kind: 'Organization' };

/** Is `email` one of the region's managers (exact address or an `@domain` pattern)? */
export function isRegionManager(managers: readonly string[], email: string): boolean {
  const lower = email.toLowerCase();
  return managers.some((m) => {
    const pattern = m.toLowerCase();
    return pattern.startsWith('@') ? lower.endsWith(pattern) : lower === pattern;
  });
}
