// Stage 3 of validation: named semantic rules, all reported at once. A document with schema problems
// still gets the rules whose inputs the schema found sound, so one misspelt field hides nothing else.
import { checkIpv4Entry } from '../../util/ipv4.js';
import { durationSeconds, MAX_DURATION_ALLOWED, MAX_DURATION_SECONDS } from '../../util/duration.js';
import { durationFields, valuesAt } from './duration-fields.js';
import { formatPath, type Diagnostic } from '../diagnostic.js';
import { quote, showValue } from '../excerpt.js';
import type { ProjectManifest } from '../manifest-types.generated.js';
import { isRegionManager, type Organization } from '../organization.js';
import type { PublicKeyFile } from './public-key-file.js';
import { locate, pathInFile, type ParsedDocument } from '../read/yaml-position.js';
import { checkWebhookUrl, WEBHOOK_URL_ALLOWED } from '../../webhooks/webhook-url.js';

export interface RuleContext {
  manifest: ProjectManifest;
  parsed: ParsedDocument;
  organization: Organization;
  /** The file named by spec.security.secureTransmission.publicKey, read once before the rules run. */
  publicKey?: PublicKeyFile;
}

type Seg = string | number;
type Report = (rule: string, at: Seg[], message: string, allowed?: string, hint?: string) => void;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function getIn(value: unknown, path: readonly Seg[]): unknown {
  let node = value as Record<string | number, unknown> | undefined;
  // Own properties only: a path such as spec.constructor must not reach Object.prototype.
  for (const seg of path)
    node = node == null || !Object.hasOwn(node, seg) ? undefined : (node[seg] as Record<string | number, unknown>);
  return node;
}

function checkIpLists({ manifest }: RuleContext, report: Report): void {
  for (const scope of ['dashboard', 'api'] as const) {
    const list = manifest.spec.security?.ipWhitelist?.[scope] ?? [];
    const seen = new Map<string, number>();
    list.forEach((entry, i) => {
      const at = ['spec', 'security', 'ipWhitelist', scope, i];
      const result = checkIpv4Entry(entry);
      if (!result.ok)
        return report(
          entry.includes(':') ? 'ip.ipv6' : result.message.includes('host bits') ? 'ip.host-bits' : 'ip.invalid',
          at,
          result.message,
          result.allowed,
          result.hint,
        );
      if (seen.has(result.cidr))
        report(
          'ip.duplicate',
          at,
          `${quote(entry)} is listed twice (same as item ${seen.get(result.cidr)})`,
          'each address or range once',
        );
      else seen.set(result.cidr, i);
    });
  }
}

function checkAdmins({ manifest, organization }: RuleContext, report: Report): void {
  const seen = new Map<string, number>();
  const region = manifest.metadata.region;
  const regions = organization.regions ?? {};
  const managers = region && Object.hasOwn(regions, region) ? regions[region].managers : undefined;
  (manifest.spec.admins ?? []).forEach((admin, i) => {
    const at = ['spec', 'admins', i, 'email'];
    const email = admin.email.trim().toLowerCase();
    if (!EMAIL.test(admin.email))
      return report(
        'admin.email',
        at,
        `${quote(admin.email)} is not an email address`,
        'an address such as ops@bank.example',
      );
    if (seen.has(email))
      return report(
        'admin.duplicate',
        at,
        `admin ${quote(admin.email)} is listed twice (same as item ${seen.get(email)})`,
        'each admin once',
      );
    seen.set(email, i);
    if (managers && !isRegionManager(managers, email)) {
      report(
        'region.manager',
        at,
        `${quote(admin.email)} is not a manager of region ${quote(region!)}`,
        `a manager listed in argosctl.yaml regions.${region}.managers: ${managers.join(', ')}`,
      );
    }
  });
}

function checkAuthMethods({ manifest }: RuleContext, report: Report): void {
  const methods = manifest.spec.authMethods ?? {};
  const anyEnabled = Boolean(methods.idDocument?.enabled || methods.knowledgeBased?.enabled);
  if (!anyEnabled && manifest.spec.status !== 'CLOSE') {
    report(
      'auth.none-enabled',
      ['spec', 'authMethods'],
      'no authentication method is enabled',
      'enable idDocument or knowledgeBased (or set status: CLOSE)',
    );
  }
}

// Every duration field of the schema: the pattern is the schema's; zero and the database's bound
// (seconds in an integer column) are checked here, where a number can be compared.
function checkDurations({ manifest }: RuleContext, report: Report): void {
  for (const field of durationFields()) {
    for (const { at, value } of valuesAt(manifest, field)) {
      if (typeof value !== 'string') continue;
      const seconds = durationSeconds(value);
      if (seconds === undefined) continue; // not a duration at all: the schema's pattern reports it
      if (seconds === 0) report('duration.invalid', at, `${quote(value)} is zero`, MAX_DURATION_ALLOWED);
      else if (seconds > MAX_DURATION_SECONDS)
        report(
          'duration.too-long',
          at,
          `${quote(value)} is longer than the database holds`,
          MAX_DURATION_ALLOWED,
          'the database keeps durations as seconds in a 32-bit integer',
        );
    }
  }
}

function checkTokens({ manifest }: RuleContext, report: Report): void {
  const tokens = manifest.spec.liveform?.tokens;
  if (!tokens) return;
  const expiration = tokens.expiration;
  if (expiration?.mode === 'time') {
    if (expiration.after === undefined)
      report(
        'tokens.expiration-after',
        ['spec', 'liveform', 'tokens', 'expiration'],
        'time-based expiration needs "after"',
        'after: a duration such as 24h',
      );
  }
  if (expiration?.mode === 'count' && expiration.after !== undefined) {
    report(
      'tokens.expiration-after',
      ['spec', 'liveform', 'tokens', 'expiration', 'after'],
      'count-based expiration takes no "after": the token expires at its first use',
      'remove after, or use mode: time',
    );
  }
  if (!tokens.preRegistration) {
    if (expiration)
      report(
        'tokens.needs-pre-registration',
        ['spec', 'liveform', 'tokens', 'expiration'],
        'token expiration is set but token pre-registration is off',
        'set spec.liveform.tokens.preRegistration: true, or remove expiration',
      );
    if (tokens.deletion)
      report(
        'tokens.needs-pre-registration',
        ['spec', 'liveform', 'tokens', 'deletion'],
        'token deletion is set but token pre-registration is off',
        'set spec.liveform.tokens.preRegistration: true, or remove deletion',
      );
  }
}

function checkEncryption({ manifest }: RuleContext, report: Report): void {
  const encryption = manifest.spec.encryption;
  if (!encryption) return;
  const seen = new Map<string, number>();
  (encryption.keys ?? []).forEach((key, i) => {
    if (seen.has(key.name))
      report(
        'encryption.duplicate-key',
        ['spec', 'encryption', 'keys', i, 'name'],
        `key ${quote(key.name)} is listed twice`,
        'each key name once',
      );
    seen.set(key.name, i);
    // `argosctl keys reveal PROJECT api-key` names the API key: an encryption key cannot share the name.
    if (key.name === 'api-key' || key.name === 'webhook-secret') {
      report(
        'encryption.reserved-key-name',
        ['spec', 'encryption', 'keys', i, 'name'],
        `the key name ${quote(key.name)} is reserved for the project's own secret`,
        'choose another name, such as 2026-q4',
      );
    }
  });
  if (encryption.encryptedOnly && !(encryption.keys ?? []).some((k) => k.status === 'active')) {
    report(
      'encryption.needs-active-key',
      ['spec', 'encryption', 'encryptedOnly'],
      'encrypted-only mode needs an active encryption key',
      'add a key with status: active under spec.encryption.keys',
    );
  }
}

function checkSecureTransmission({ manifest, publicKey }: RuleContext, report: Report): void {
  const st = manifest.spec.security?.secureTransmission;
  if (!st) return;
  if (st.enabled && !st.publicKey)
    return report(
      'secure-transmission.public-key',
      ['spec', 'security', 'secureTransmission'],
      'secure transmission needs a public key',
      'publicKey: a PEM file path relative to the manifest',
    );
  if (publicKey && !publicKey.ok)
    report(
      publicKey.rule,
      ['spec', 'security', 'secureTransmission', 'publicKey'],
      publicKey.message,
      publicKey.allowed,
      publicKey.hint,
    );
}

function checkWebhook({ manifest }: RuleContext, report: Report): void {
  const webhook = manifest.spec.webhook;
  if (!webhook) return;
  const result = checkWebhookUrl(webhook.url);
  if (!result.ok) report('webhook.url', ['spec', 'webhook', 'url'], result.message, WEBHOOK_URL_ALLOWED, result.hint);
}

function checkRegion({ manifest, organization }: RuleContext, report: Report): void {
  const region = manifest.metadata.region;
  if (!region) return;
  const declared = organization.regions ?? {};
  // Own properties only: region "constructor" must not find Object.prototype.constructor.
  const def = Object.hasOwn(declared, region) ? declared[region] : undefined;
  if (!def) {
    const names = Object.keys(declared);
    return report(
      'region.unknown',
      ['metadata', 'region'],
      `region ${quote(region)} is not declared in argosctl.yaml`,
      names.length ? `one of: ${names.join(', ')}` : 'declare regions in argosctl.yaml at the manifest root',
    );
  }
  for (const [field, required] of Object.entries(def.require ?? {})) {
    const segs = field.split('.');
    const actual = getIn(manifest, segs);
    if (actual !== required) {
      report(
        'region.require',
        segs,
        `region ${quote(region)} requires ${field}: ${showValue(required)} (rule regions.${region}.require in argosctl.yaml), found ${showValue(actual)}`,
        `${field}: ${showValue(required)}`,
      );
    }
  }
}

interface ProjectRule {
  check: (ctx: RuleContext, report: Report) => void;
  /** The document paths the rule reads (each with everything below it). */
  reads: readonly (readonly Seg[])[];
}

// checkRegion also reads the fields named by argosctl.yaml's require, through getIn, which takes any type.
export const PROJECT_RULES: readonly ProjectRule[] = [
  { check: checkIpLists, reads: [['spec', 'security', 'ipWhitelist']] },
  {
    check: checkAdmins,
    reads: [
      ['spec', 'admins'],
      ['metadata', 'region'],
    ],
  },
  {
    check: checkAuthMethods,
    reads: [
      ['spec', 'authMethods'],
      ['spec', 'status'],
    ],
  },
  { check: checkTokens, reads: [['spec', 'liveform', 'tokens']] },
  // Reads every duration field; a value the schema refused is skipped by the rule itself.
  { check: checkDurations, reads: [] },
  { check: checkEncryption, reads: [['spec', 'encryption']] },
  { check: checkSecureTransmission, reads: [['spec', 'security', 'secureTransmission']] },
  { check: checkWebhook, reads: [['spec', 'webhook']] },
  { check: checkRegion, reads: [['metadata', 'region']] },
];

/** True when a problem at `problem` (a formatted path) is at, above or below `read`. */
export function touches(problem: string, read: readonly Seg[]): boolean {
  const at = formatPath(read);
  if (problem === '(document)' || problem === at) return true;
  const below = (a: string, b: string) => a.startsWith(b + '.') || a.startsWith(b + '[');
  return below(problem, at) || below(at, problem);
}

/**
 * `schemaProblems`: the paths of the document's schema problems; a rule runs only when none of them
 * touches what it reads, so every value a rule sees has the type the schema promises.
 */
export function runProjectRules(ctx: RuleContext, schemaProblems: readonly string[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (rule, at, message, allowed, hint) => {
    out.push({
      severity: 'error',
      rule,
      file: ctx.parsed.file,
      ...locate(ctx.parsed, at),
      path: formatPath(pathInFile(ctx.parsed, at)),
      message,
      allowed,
      hint,
    });
  };
  for (const { check, reads } of PROJECT_RULES) {
    if (!schemaProblems.some((problem) => reads.some((read) => touches(problem, read)))) check(ctx, report);
  }
  return out;
}
