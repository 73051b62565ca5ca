// Generates N project manifests for the benchmark, in one of two styles:
// - `clean`: one shape, block and flow maps, no warning (the project's own earlier benchmark);
// - `people` (the default): written the way people write them, six shapes in turn: comments, flow
//   maps (`{ mode: time, after: 24h }`), anchors and aliases, quoted strings, argosctl/v1 and v2,
//   about half with a lint warning (OPEN without an API whitelist, ECB accepted, a wide range),
//   some naming a public key file, and files holding two documents.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type ManifestStyle = 'people' | 'clean';

const PER_FOLDER = 500;

const ids = (i: number) => `bench-${String(i).padStart(6, '0')}`;

function clean(i: number): string {
  const a = (i >> 8) & 255;
  const b = i & 255;
  return `apiVersion: argosctl/v1
kind: Project
metadata:
  id: ${ids(i)}
  name: Bench project ${i}
  labels: { team: t${i % 17}, tier: bench }
spec:
  status: ${['TRIAL', 'TEST', 'OPEN'][i % 3]}
  authMethods:
    idDocument:
      enabled: true
      userPolicy: { scoreThreshold: standard, ageLimit: 18, blacklistCountries: [KP], rejectDuplicateUser: true }
      mfa: { sms: true }
      fraudDetection:
        faceMatch: { enabled: true, threshold: 80 }
        selfieLiveness: { mode: passive, threshold: 70 }
        proxyVpnDetection: true
    knowledgeBased:
      enabled: ${i % 2 === 0}
  liveform:
    privateMode: true
    tokens:
      preRegistration: true
      expiration: { mode: time, after: 24h }
      deletion: { onExpiration: true, byVolume: { startThreshold: 80, ratio: 20 } }
  encryption:
    encryptedOnly: true
    method: GCM
    keys: [{ name: k1, status: active }]
  security:
    privacyProtection: true
    ipWhitelist:
      dashboard: [10.${a}.${b}.0/24]
      api: [198.18.${a}.${b}, 100.64.${a}.0/24]
  admins:
    - email: ops${i}@bench.example
    - email: lead@bench.example
`;
}

/** An ordinary OPEN project without an API whitelist (lint.open-empty-api-whitelist), flow map and comments. */
const openNoWhitelist = (i: number) => `# yaml-language-server: $schema=../../schemas/project.v1.json
# Onboarding for partner ${i}: live since the spring.
apiVersion: argosctl/v1
kind: Project
metadata:
  id: ${ids(i)}
  name: Partner ${i} onboarding # shown in the dashboard
  labels: { team: payments, partner: "p-${i}" }
spec:
  status: OPEN
  authMethods:
    idDocument:
      enabled: true
      userPolicy: { scoreThreshold: standard, ageLimit: 19 }
      fraudDetection:
        faceMatch: { enabled: true, threshold: 80 }
  liveform:
    privateMode: true
    tokens:
      preRegistration: true
      expiration: { mode: time, after: 24h } # a day to finish
  encryption: { method: GCM }
  admins:
    - email: ops${i}@partner.example
`;

/** argosctl/v2 with quoted strings and comments; clean. */
const v2Quoted = (i: number) => `# yaml-language-server: $schema=../../schemas/project.v2.json
apiVersion: "argosctl/v2"
kind: 'Project'
metadata:
  id: "${ids(i)}"
  name: 'Shop checkout ${i}'
spec:
  status: "TEST"
  authMethods:
    idDocument:
      enabled: true
      userPolicy: { scoreThreshold: "standard", ageLimit: 18 }
  encryption:
    encryptedOnly: true
    # GCM only; leaving methods out would accept ECB too.
    methods: [GCM]
    keys:
      - { name: "2026-q4", status: active }
  security:
    privacyProtection: true
    ipWhitelist:
      api: ["203.0.${(i >> 8) & 255}.${i & 255}"]
  admins:
    - email: "owner${i}@shop.example"
      role: Owner
    - email: support@shop.example
      role: Guest # read-only
`;

/** Anchors and aliases for settings written twice; every third one accepts ECB (lint.ecb). */
const anchors = (i: number) => `apiVersion: argosctl/v1
kind: Project
metadata:
  id: ${ids(i)}
  name: Bank ${i} KYC
spec:
  status: TRIAL
  authMethods:
    idDocument:
      enabled: true
      userPolicy: &policy { scoreThreshold: conservative, ageLimit: 18, rejectDuplicateUser: true }
      fraudDetection:
        faceMatch: &face { enabled: true, threshold: 85 }
    knowledgeBased:
      enabled: true
      userPolicy: *policy
      fraudDetection:
        faceMatch: *face
        selfieLiveness: { mode: passive }
  encryption:
    method: ${i % 3 === 0 ? 'ECB' : 'GCM'}
  security:
    ipWhitelist:
      dashboard: &office [10.${(i >> 8) & 255}.0.0/16]
      api: *office
  admins:
    - email: kyc${i}@bank.example
`;

/** Secure transmission with a public key file beside the manifests; clean. */
const publicKey = (i: number) => `# Secure transmission: the key file is kept next to the manifests.
apiVersion: argosctl/v1
kind: Project
metadata:
  id: ${ids(i)}
  name: Insurer ${i}
spec:
  status: TEST
  authMethods:
    idDocument: { enabled: true }
  encryption: { method: GCM }
  security:
    secureTransmission: { enabled: true, publicKey: keys/insurer.pub.pem }
    ipWhitelist:
      api: [198.51.${(i >> 8) & 255}.${i & 255}]
  admins:
    - email: sec${i}@insurer.example
`;

/** Two documents in one file: a trial (OPEN, no whitelist: a warning) and its production twin. */
const twoDocuments = (i: number) => `# Trial and production side by side.
apiVersion: argosctl/v1
kind: Project
metadata: { id: ${ids(i)}, name: App ${i} trial }
spec:
  status: OPEN
  authMethods:
    idDocument: { enabled: true }
  encryption: { method: GCM }
  admins: [{ email: dev${i}@app.example }]
---
apiVersion: argosctl/v1
kind: Project
metadata: { id: ${ids(i + 1)}, name: App ${i} production }
spec:
  status: TEST
  authMethods:
    idDocument: { enabled: true }
  encryption: { method: GCM }
  security:
    ipWhitelist: { api: [192.0.2.${i & 255}] }
  admins: [{ email: dev${i}@app.example }]
`;

/** The mix, in turn: [shape, projects it declares]. */
const PEOPLE: [(i: number) => string, number][] = [
  [openNoWhitelist, 1],
  [v2Quoted, 1],
  [anchors, 1],
  [publicKey, 1],
  [twoDocuments, 2],
  [openNoWhitelist, 1],
];

export function generateProjects(dir: string, count: number, style: ManifestStyle = 'people'): void {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
  let made = 0;
  let shape = 0;
  let folder = '';
  for (let file = 0; made < count; file++) {
    if (file % PER_FOLDER === 0) {
      folder = path.join(dir, `batch-${file / PER_FOLDER}`);
      mkdirSync(path.join(folder, 'keys'), { recursive: true });
      if (style === 'people') writeFileSync(path.join(folder, 'keys/insurer.pub.pem'), pem);
    }
    let [write, declares] = style === 'clean' ? [clean, 1] : PEOPLE[shape++ % PEOPLE.length];
    if (made + declares > count) [write, declares] = [openNoWhitelist, 1];
    writeFileSync(path.join(folder, `${ids(made)}.yaml`), write(made));
    made += declares;
  }
}
