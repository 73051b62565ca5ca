// fast-check generators of valid project settings (what a manifest can express).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  ADMIN_ROLES,
  type AuthMethodSettings,
  type JsonObject,
  type ProjectSettings,
} from '../../src/model/project-settings.js';

const PEM = readFileSync('examples/bank/keys/kbank.pub.pem', 'utf8').trim();

const cidr = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(8, 16, 24, 32))
  .map(([a, b, bits]) =>
    bits === 8
      ? `${a}.0.0.0/8`
      : bits === 16
        ? `${a}.${b}.0.0/16`
        : bits === 24
          ? `${a}.${b}.7.0/24`
          : `${a}.${b}.7.9/32`,
  );
const sortedSet = <T>(arb: fc.Arbitrary<T>, max: number) =>
  fc.uniqueArray(arb, { maxLength: max, selector: (v) => JSON.stringify(v) }).map((xs) => [...xs].sort());

const commonPolicy = fc.record(
  {
    scoreThreshold: fc.oneof(fc.constantFrom('conservative', 'standard', 'open'), fc.integer({ min: 1, max: 99 })),
    ageLimit: fc.integer({ min: 13, max: 120 }),
    rejectDuplicateUser: fc.boolean(),
    blacklistCountries: fc.uniqueArray(fc.constantFrom('KP', 'IR', 'SY', 'CU'), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const idPolicyExtra = fc.record(
  { approvedPeriod: fc.constantFrom('30d', '365d'), idRecognitionGuarantee: fc.boolean() },
  { requiredKeys: [] },
);
const commonFraud = fc.record(
  {
    faceMatch: fc.record({ enabled: fc.boolean(), threshold: fc.integer({ min: 1, max: 100 }) }),
    selfieLiveness: fc.record({ mode: fc.constantFrom('off', 'passive', 'active') }),
    proxyVpnDetection: fc.boolean(),
  },
  { requiredKeys: [] },
);
const idFraudExtra = fc.record(
  { mrzCheck: fc.record({ enabled: fc.boolean() }), streamingCaptureOnly: fc.boolean() },
  { requiredKeys: [] },
);
const mfa = fc.record({ sms: fc.boolean(), email: fc.boolean() }, { requiredKeys: [] });

const method = (idDocument: boolean): fc.Arbitrary<AuthMethodSettings> =>
  fc.record({
    enabled: fc.boolean(),
    userPolicy: idDocument
      ? fc.tuple(commonPolicy, idPolicyExtra).map(([a, b]) => ({ ...a, ...b }) as JsonObject)
      : commonPolicy.map((p) => p as JsonObject),
    mfa: mfa.map((m) => m as JsonObject),
    fraudDetection: idDocument
      ? fc.tuple(commonFraud, idFraudExtra).map(([a, b]) => ({ ...a, ...b }) as JsonObject)
      : commonFraud.map((f) => f as JsonObject),
  });

export function projectSettings(id: string): fc.Arbitrary<ProjectSettings> {
  return fc
    .record({
      name: fc.constantFrom('A', 'Bank', 'Globex signup'),
      status: fc.constantFrom('TRIAL', 'TEST', 'OPEN', 'CLOSE'),
      submissions: fc.constantFrom('normal', 'emergency-stop'),
      idDocument: method(true),
      knowledgeBased: method(false),
      privateMode: fc.boolean(),
      tokens: fc.option(
        fc.record({
          mode: fc.constantFrom('none', 'count', 'time'),
          seconds: fc.integer({ min: 60, max: 86400 * 7 }),
          onExpiration: fc.boolean(),
          volume: fc.option(
            fc.record({
              start: fc.integer({ min: 1, max: 100 }),
              ratio: fc.integer({ min: 1, max: 100 }),
              priority: fc.constantFrom('oldest-first', 'newest-first'),
            }),
          ),
        }),
      ),
      encryptedOnly: fc.boolean(),
      methods: fc.constantFrom(['ECB'], ['GCM'], ['ECB', 'GCM']),
      keys: fc.uniqueArray(
        fc
          .record({
            name: fc.constantFrom('k1', 'k2', '2026-q4'),
            status: fc.constantFrom('active', 'retired'),
            rotate: fc.constantFrom(1, 1, 2, 3),
          })
          .map(({ rotate, ...k }) => (rotate > 1 ? { ...k, rotate } : k)),
        { maxLength: 3, selector: (k) => k.name },
      ),
      keyGrace: fc.option(fc.constantFrom(3600, 86400 * 7, 86400 * 30)),
      privacy: fc.boolean(),
      secure: fc.boolean(),
      dashboard: sortedSet(cidr, 3),
      api: sortedSet(cidr, 3),
      admins: fc
        .uniqueArray(
          fc.record({
            email: fc.constantFrom('a@x.example', 'b@x.example', 'ops@bank.example'),
            role: fc.constantFrom(...ADMIN_ROLES),
          }),
          { maxLength: 3, selector: (a) => a.email },
        )
        .map((xs) => [...xs].sort((a, b) => a.email.localeCompare(b.email))),
      labels: fc.dictionary(fc.constantFrom('team', 'tier'), fc.constantFrom('x', 'y')),
      apiKey: fc.option(
        fc.record({ rotation: fc.integer({ min: 1, max: 5 }), previousSeconds: fc.constantFrom(1800, 3600, 86400) }),
      ),
      webhook: fc.option(
        fc.record({
          url: fc.constantFrom(
            'https://hooks.bank.example/argos',
            'https://h.example/x?project=1',
            'http://127.0.0.1:8080/hook',
          ),
          rotation: fc.integer({ min: 1, max: 5 }),
        }),
      ),
    })
    .map((g) => ({
      id,
      name: g.name,
      description: null,
      region: null,
      labels: Object.fromEntries(Object.entries(g.labels).sort(([a], [b]) => a.localeCompare(b))),
      status: g.status as ProjectSettings['status'],
      submissions: g.submissions as ProjectSettings['submissions'],
      authMethods: { idDocument: g.idDocument, knowledgeBased: g.knowledgeBased },
      privateMode: g.privateMode,
      tokenPreRegistration: g.tokens !== null,
      tokenExpirationMode: (g.tokens?.mode ?? 'none') as ProjectSettings['tokenExpirationMode'],
      tokenExpirationSeconds: g.tokens?.mode === 'time' ? g.tokens.seconds : null,
      tokenDeleteOnExpiration: g.tokens?.onExpiration ?? false,
      tokenVolumeStartThreshold: g.tokens?.volume?.start ?? null,
      tokenVolumeRatio: g.tokens?.volume?.ratio ?? null,
      tokenVolumePriority: (g.tokens?.volume?.priority ?? null) as ProjectSettings['tokenVolumePriority'],
      encryptedOnly: g.encryptedOnly,
      encryptionMethods: [...g.methods],
      encryptionKeys: [...g.keys].sort((a, b) => a.name.localeCompare(b.name)) as ProjectSettings['encryptionKeys'],
      encryptionRetiredValidSeconds: g.keyGrace,
      privacyProtection: g.privacy,
      secureTransmission: g.secure,
      secureTransmissionPublicKey: g.secure ? PEM : null,
      apiKeyRotation: g.apiKey?.rotation ?? null,
      apiKeyPreviousValidSeconds: g.apiKey?.previousSeconds ?? null,
      webhookUrl: g.webhook?.url ?? null,
      webhookEvents: g.webhook ? ['token_expired'] : null,
      webhookSecretRotation: g.webhook?.rotation ?? null,
      ipWhitelistDashboard: g.dashboard,
      ipWhitelistApi: g.api,
      admins: g.admins,
    }));
}
