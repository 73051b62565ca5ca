// In-memory builders of project settings, for planner and renderer tests.
import {
  emptyAuthMethod,
  type AdminRef,
  type AdminRole,
  type ProjectSettings,
} from '../../src/model/project-settings.js';
import type { DesiredInput } from '../../src/plan/diff.js';

export function project(id: string, overrides: Partial<ProjectSettings> = {}): ProjectSettings {
  return {
    id,
    name: `Project ${id}`,
    description: null,
    region: null,
    labels: {},
    status: 'TEST',
    submissions: 'normal',
    authMethods: { idDocument: { ...emptyAuthMethod(), enabled: true }, knowledgeBased: emptyAuthMethod() },
    privateMode: false,
    tokenPreRegistration: false,
    tokenExpirationMode: 'none',
    tokenExpirationSeconds: null,
    tokenDeleteOnExpiration: false,
    tokenVolumeStartThreshold: null,
    tokenVolumeRatio: null,
    tokenVolumePriority: null,
    encryptedOnly: false,
    encryptionMethods: ['GCM'],
    encryptionKeys: [],
    encryptionRetiredValidSeconds: null,
    privacyProtection: false,
    secureTransmission: false,
    secureTransmissionPublicKey: null,
    apiKeyRotation: null,
    apiKeyPreviousValidSeconds: null,
    webhookUrl: null,
    webhookEvents: null,
    webhookSecretRotation: null,
    ipWhitelistDashboard: [],
    ipWhitelistApi: [],
    admins: [],
    ...overrides,
  };
}

/** An admin as settings hold it (v1 manifests' admins are members). */
export function admin(email: string, role: AdminRole = 'Member'): AdminRef {
  return { email, role };
}

export function desired(settings: ProjectSettings, file = 'projects/p.yaml'): DesiredInput {
  return { settings, sourceOf: (path) => ({ file, line: path.length }) };
}

export function stateOf(...projects: ProjectSettings[]): Map<string, ProjectSettings> {
  return new Map(projects.map((p) => [p.id, structuredClone(p)]));
}
