// The encryption methods a project's encrypted Liveform URLs may use (spec.encryption.methods).
// One function, so URL building and the admission check ask the same question.
import type { ProjectSettings } from '../model/project-settings.js';

export type UrlMethod = 'GCM' | 'ECB';

export function acceptedMethods(settings: Pick<ProjectSettings, 'encryptionMethods'>): UrlMethod[] {
  return [...settings.encryptionMethods];
}
