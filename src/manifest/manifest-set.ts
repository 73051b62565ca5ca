// What reading and checking the manifests gives the commands: the desired projects, the projects
// of skipped files, the organisation settings and every problem found.
import type { ProjectSettings } from '../model/project-settings.js';
import type { PolicyReport } from '../policy/evaluate-policy.js';
import type { Diagnostic } from './diagnostic.js';
import type { Organization } from './organization.js';
import type { ProjectSource } from './read/source-key.js';

export interface DesiredProject {
  settings: ProjectSettings;
  file: string;
  /** Where the document's metadata.id sits. */
  line: number;
  /**
   * Line of a setting inside this project's document (re-parses its file on first use); with a
   * member, the line of that item of the list (an IP range, an admin, a key).
   */
  lineOf(path: string, member?: string): number;
  /** As lineOf, with the column, and whether the setting is written at all (else: its nearest written parent). */
  positionOf?(path: string, member?: string): SettingPosition;
  /** What the project's checked result depends on: apply records it to skip the file later. */
  source?: ProjectSource;
  /** The value the document writes at a manifest path (`24h`), or undefined when nobody wrote it. */
  written?(path: string): unknown;
}

export interface SettingPosition {
  line: number;
  column: number;
  found: boolean;
}

/** A project declared by a file that was skipped (unchanged since it was checked valid; its warnings come from the record). */
export interface UnchangedProject {
  id: string;
  file: string;
}

export interface ManifestSet {
  projects: DesiredProject[];
  /** Projects of skipped files: known by id only, neither parsed nor diffed. */
  unchanged: UnchangedProject[];
  organization: Organization;
  /** The organisation policy's outcome per rule (absent when argosctl.yaml is invalid); violations are also in diagnostics. */
  policy?: PolicyReport;
  diagnostics: Diagnostic[];
  /** sha256 over every manifest file's path and bytes, in path order. */
  digest: string;
  fileCount: number;
  /** Absolute path of the argosctl.yaml that was read (at the root or above it naming it), if any. */
  configFile?: string;
  /** sha256 of argosctl.yaml's bytes as read ('' without one). */
  configDigest: string;
  /** The other files the documents read (public keys), by full path: their bytes' sha256, or null when unreadable. */
  otherReads: ReadonlyMap<string, string | null>;
}
