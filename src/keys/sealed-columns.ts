// Every column that holds material sealed with the master key, in ONE list: `keys rewrap` re-seals
// exactly these, and each entry's label is the AAD its values were sealed with (so a sealed value
// cannot be copied to another row and opened there). A new sealed column is one entry here.
export interface SealedColumn {
  table: string;
  column: string;
  /** The columns that identify a row (the label is built from them). */
  keys: readonly string[];
  label(row: Record<string, unknown>): string;
}

export const apiKeyLabel = (projectId: string, rotation: number) => `api-key:${projectId}:${rotation}`;
export const encryptionKeyLabel = (projectId: string, name: string, rotation: number) =>
  `encryption-key:${projectId}:${name}:${rotation}`;

export const webhookSecretLabel = (projectId: string, rotation: number) => `webhook-secret:${projectId}:${rotation}`;

export const serviceTransmissionKeyLabel = (projectId: string) => `service-transmission-key:${projectId}`;

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'api_keys',
    column: 'sealed',
    keys: ['project_id', 'rotation'],
    label: (r) => apiKeyLabel(String(r.project_id), Number(r.rotation)),
  },
  {
    table: 'encryption_keys',
    column: 'sealed',
    keys: ['project_id', 'name', 'rotation'],
    label: (r) => encryptionKeyLabel(String(r.project_id), String(r.name), Number(r.rotation)),
  },
  {
    table: 'webhook_secrets',
    column: 'sealed',
    keys: ['project_id', 'rotation'],
    label: (r) => webhookSecretLabel(String(r.project_id), Number(r.rotation)),
  },
  {
    table: 'service_transmission_keys',
    column: 'sealed',
    keys: ['project_id'],
    label: (r) => serviceTransmissionKeyLabel(String(r.project_id)),
  },
];
