// Who sees what on the dashboard. An email sees a project when it is one of the project's admins,
// a manager of its region, or an auditor (dashboard.auditors in argosctl.yaml). What it sees of a
// project follows the strongest of those: owner, leader, manager and auditor see everything
// (only an owner may act), member sees settings, timeline and usage, guest status and usage.
import { isRegionManager, type Organization } from '../manifest/organization.js';

export type Viewer = 'owner' | 'leader' | 'manager' | 'auditor' | 'member' | 'guest';

export interface Sight {
  viewer: Viewer;
  /** The settings as a manifest, the timeline of applies, break-glass and reveals. */
  settings: boolean;
  /** Admins' login records and the key reveal log. */
  personal: boolean;
  /** Emergency stop and resume. */
  act: boolean;
}

const RANK: Viewer[] = ['owner', 'leader', 'manager', 'auditor', 'member', 'guest'];

export function sightOf(viewer: Viewer): Sight {
  const full = viewer === 'owner' || viewer === 'leader' || viewer === 'manager' || viewer === 'auditor';
  return { viewer, settings: full || viewer === 'member', personal: full, act: viewer === 'owner' };
}

/** Matches an exact email or an @domain pattern (case-insensitive), as region managers do. */
export function isAuditor(organization: Organization, email: string): boolean {
  return isRegionManager(organization.dashboard?.auditors ?? [], email);
}

/** The regions whose managers include this email. */
export function managedRegions(organization: Organization, email: string): string[] {
  return Object.entries(organization.regions ?? {})
    .filter(([, region]) => region.managers && isRegionManager(region.managers, email))
    .map(([name]) => name);
}

/** The strongest way this email sees a project, or undefined when it does not see it. */
export function viewerOf(
  facts: { adminRole: string | null; region: string | null },
  who: { auditor: boolean; regions: readonly string[] },
): Viewer | undefined {
  const candidates: Viewer[] = [];
  if (facts.adminRole) candidates.push(facts.adminRole.toLowerCase() as Viewer);
  if (facts.region && who.regions.includes(facts.region)) candidates.push('manager');
  if (who.auditor) candidates.push('auditor');
  return RANK.find((v) => candidates.includes(v));
}

/** What the signed-in email is to the dashboard as a whole, computed once per request. */
export interface Person {
  email: string;
  auditor: boolean;
  regions: string[];
}

export function personOf(organization: Organization, email: string): Person {
  return { email, auditor: isAuditor(organization, email), regions: managedRegions(organization, email) };
}
