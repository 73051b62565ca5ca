// The encryption methods a project's encrypted Liveform URLs may use (spec.encryption.methods).
// One function, so URL building and the admission check ask the same question.
import type { ProjectSettings } from '../model/project-settings.js';

export function acceptedMethods(settings: ProjectSettings): ('GCM' | 'ECB')[] {
  return [...settings.encryptionMethods];
}
