// The service in process on 127.0.0.1, a free port, for HTTP tests; and manifests to apply.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../../src/db/connection.js';
import { revealApiKey } from '../../src/keys/api-key.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { applyDir } from './apply.js';
import { tempDir } from './cli.js';

/** A master key for the test process (apply seals issued keys with it). */
export const TEST_MASTER_KEY = randomBytes(32);
process.env.ARGOS_MASTER_KEY = TEST_MASTER_KEY.toString('base64');

export interface Service {
  base: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startService(database: Database, options: ServerOptions = {}): Promise<Service> {
  const logs: string[] = [];
  const { app } = await buildServer(database, { log: (line) => logs.push(line), ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return { base: `http://127.0.0.1:${address.port}`, logs, close: () => app.close() };
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export async function call(
  base: string,
  method: string,
  url: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(options.key ? { 'x-api-key': options.key } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : { text } };
}

/** A project manifest with the given `spec` lines (YAML, indented by two spaces under spec:). */
export function manifest(id: string, spec: string, status = 'TEST'): string {
  return `apiVersion: argosctl/v1\nkind: Project\nmetadata:\n  id: ${id}\n  name: ${id}\nspec:\n  status: ${status}\n  authMethods:\n    idDocument: { enabled: true }\n${spec}`;
}

/** Writes the manifests into a fresh folder and applies them. */
export async function applyManifests(
  database: Database,
  files: Record<string, string>,
  dir = tempDir(),
): Promise<string> {
  const projects = path.join(dir, 'projects');
  mkdirSync(projects, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(projects, `${name}.yaml`), text);
  await applyDir(database, projects);
  return dir;
}

export function reveal(database: Database, projectId: string): Promise<string> {
  return revealApiKey(database.db, projectId, 'test', () => TEST_MASTER_KEY).then((r) => r.key);
}
