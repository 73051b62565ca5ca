// Generates N realistic project manifests for the benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function generateProjects(dir: string, count: number): void {
  const perFolder = 500;
  for (let i = 0; i < count; i++) {
    const folder = path.join(dir, `batch-${Math.floor(i / perFolder)}`);
    if (i % perFolder === 0) mkdirSync(folder, { recursive: true });
    const id = `bench-${String(i).padStart(6, '0')}`;
    const a = (i >> 8) & 255;
    const b = i & 255;
    writeFileSync(
      path.join(folder, `${id}.yaml`),
      `apiVersion: argosctl/v1
kind: Project
metadata:
  id: ${id}
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
`,
    );
  }
}
