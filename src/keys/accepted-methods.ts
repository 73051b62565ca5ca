// The URL encryption methods a project accepts. Read ONLY through this function: the manifest's
// single `method` today, a list later (manifest v2), without touching its callers.
export type UrlMethod = 'GCM' | 'ECB';

export function acceptedMethods(settings: { encryptionMethod: UrlMethod }): UrlMethod[] {
  return [settings.encryptionMethod];
}
