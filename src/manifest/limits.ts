// Every bound on the work one run does for its input, in one place: a pull request controls the
// manifests, so no input may make validation take minutes, gigabytes or a 30 MB job summary.
// docs/manifests.md lists these; a problem past a bound names it.
export const LIMITS = {
  /** Bytes of one manifest file (also argosctl.yaml). */
  fileBytes: 1024 * 1024,
  /** YAML documents in one file; counted from its `---` markers before anything is parsed. */
  documentsPerFile: 1_000,
  /** Manifest files in one run (the listing stops there). */
  filesPerRun: 200_000,
  /** Bytes of all manifest files read in one run. */
  totalManifestBytes: 512 * 1024 * 1024,
  /** Schema problems shown per document; the rest are counted. */
  problemsPerDocument: 100,
  /** Problems reported; the rest are counted exactly ("… and N more"). */
  problemsReported: 1_000,
  /** Bytes argosctl writes to the GitHub job summary per run (GitHub's step summary limit is 1 MiB). */
  jobSummaryBytes: 1024 * 1024,
  /** Characters of a pull-request comment (GitHub refuses longer bodies). */
  prCommentChars: 65_536,
} as const;

/** Alias expansions `yaml` allows per anchor in a document (its maxAliasCount); the fast path takes fewer in all. */
export const MAX_ALIAS_COUNT = 100;

/** A count for messages: 1,000. */
export const shown = (n: number) => n.toLocaleString('en');
