// Lint: settings that are valid but dangerous. Each finding is a warning (an error with --strict)
// naming its rule; a project silences one with `lint.ignore: [{rule, reason}]`, the reason kept
// in the manifest for reviewers. Runs only on manifests that passed the schema and the rules.
import { checkIpv4Entry } from '../../util/ipv4.js';
import { parseDuration } from '../../util/duration.js';
import { formatPath, type Diagnostic } from '../diagnostic.js';
import { quote } from '../excerpt.js';
import type { ProjectManifest } from '../manifest-types.generated.js';
import { acceptedMethodsOf } from './normalize.js';
import { locate, pathInFile, type ParsedDocument } from '../read/yaml-position.js';

export const LINT_RULES = [
  'lint.whitelist-wide',
  'lint.open-empty-api-whitelist',
  'lint.open-without-admins',
  'lint.ecb',
  'lint.long-token-expiry',
  'lint.deletion-without-expiration',
  'lint.private-without-pre-registration',
] as const;
export type LintRule = (typeof LINT_RULES)[number];

/** A /8 is the widest range accepted quietly; anything wider (0.0.0.0/0 included) lets in a large part of the internet. */
export const WIDEST_PREFIX = 8;
export const MAX_TOKEN_EXPIRY_SECONDS = 30 * 86400;

type Seg = string | number;
type Warn = (rule: LintRule, at: Seg[], message: string, allowed: string) => void;

function whitelists(m: ProjectManifest, warn: Warn): void {
  for (const scope of ['dashboard', 'api'] as const) {
    (m.spec.security?.ipWhitelist?.[scope] ?? []).forEach((entry, i) => {
      const r = checkIpv4Entry(entry);
      if (!r.ok) return;
      const bits = Number(r.cidr.split('/')[1]);
      if (bits >= WIDEST_PREFIX) return;
      const what = bits === 0 ? 'admits every IPv4 address' : `admits ${2 ** (32 - bits)} addresses`;
      warn(
        'lint.whitelist-wide',
        ['spec', 'security', 'ipWhitelist', scope, i],
        `${quote(entry)} ${what}`,
        `ranges of /${WIDEST_PREFIX} or narrower`,
      );
    });
  }
}

function openProject(m: ProjectManifest, warn: Warn): void {
  if (m.spec.status !== 'OPEN') return;
  if ((m.spec.security?.ipWhitelist?.api ?? []).length === 0) {
    warn(
      'lint.open-empty-api-whitelist',
      ['spec', 'status'],
      'an OPEN project with no API whitelist accepts API calls from any address',
      'spec.security.ipWhitelist.api: the addresses of your servers',
    );
  }
  if ((m.spec.admins ?? []).length === 0) {
    warn(
      'lint.open-without-admins',
      ['spec', 'status'],
      'an OPEN project has no admins: nobody can act in the dashboard',
      'at least one entry in spec.admins',
    );
  }
}

function encryption(m: ProjectManifest, warn: Warn): void {
  const written = m.spec.encryption?.methods;
  if (!acceptedMethodsOf(m).includes('ECB')) return;
  const what = written ? 'ECB is accepted' : 'ECB is accepted (methods is not set, and accepts both by default)';
  warn(
    'lint.ecb',
    written ? ['spec', 'encryption', 'methods'] : m.spec.encryption ? ['spec', 'encryption'] : ['spec'],
    `${what}: ECB encryption reveals repeated blocks of the parameters it encrypts`,
    'methods: [GCM]',
  );
}

function tokens(m: ProjectManifest, warn: Warn): void {
  const liveform = m.spec.liveform;
  const t = liveform?.tokens;
  const after = t?.expiration?.mode === 'time' && t.expiration.after ? parseDuration(t.expiration.after) : undefined;
  if (after !== undefined && after > MAX_TOKEN_EXPIRY_SECONDS) {
    warn(
      'lint.long-token-expiry',
      ['spec', 'liveform', 'tokens', 'expiration', 'after'],
      `tokens stay valid for ${quote(t!.expiration!.after!)}, more than 30 days`,
      'after: 30d or less',
    );
  }
  if (t?.deletion?.onExpiration && !t.expiration) {
    warn(
      'lint.deletion-without-expiration',
      ['spec', 'liveform', 'tokens', 'deletion', 'onExpiration'],
      'deletion on expiration is on, but tokens never expire',
      'an expiration (mode: time or count), or onExpiration: false',
    );
  }
  // Without pre-registration private mode binds each URL by what it holds (src/tokens/url-identity.ts):
  // an encrypted payload cannot be re-minted, but plain parameters can be edited into a "new" URL.
  if (liveform?.privateMode && !t?.preRegistration && !m.spec.encryption?.encryptedOnly) {
    warn(
      'lint.private-without-pre-registration',
      ['spec', 'liveform', 'privateMode'],
      'private mode is on without token pre-registration or encrypted-only URLs: a completed URL is refused, ' +
        'but a plain URL is known only by its parameters, which anyone can edit into a new URL that opens again',
      'spec.liveform.tokens.preRegistration: true, or spec.encryption.encryptedOnly: true',
    );
  }
}

const CHECKS = [whitelists, openProject, encryption, tokens];

export function runLintRules(manifest: ProjectManifest, parsed: ParsedDocument): Diagnostic[] {
  const ignored = new Set((manifest.lint?.ignore ?? []).map((i) => i.rule));
  const out: Diagnostic[] = [];
  const warn: Warn = (rule, at, message, allowed) => {
    if (ignored.has(rule)) return;
    out.push({
      severity: 'warning',
      rule,
      file: parsed.file,
      ...locate(parsed, at),
      path: formatPath(pathInFile(parsed, at)),
      message,
      allowed,
      hint: `to accept it for this project: lint: { ignore: [{ rule: ${rule}, reason: "…" }] }`,
    });
  };
  for (const check of CHECKS) check(manifest, warn);
  return out;
}

/** `--strict`: every warning counts as an error (and errors are never summarised, so no count per rule is kept). */
export function strictDiagnostics(diagnostics: readonly Diagnostic[], strict: boolean | undefined): Diagnostic[] {
  if (!strict) return [...diagnostics];
  return diagnostics.map((d) => {
    const { omittedWarnings: _, ...rest } = d;
    return d.severity === 'warning' || d.omittedWarnings ? { ...rest, severity: 'error' as const } : d;
  });
}
