// The embedded database starts with the settings of src/db/pglite-start-params.ts (small shared
// memory, zeroed at every start), whether it is new or reopened from a folder.
import { sql } from 'kysely';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { PGLITE_SETTINGS } from '../../src/db/pglite-start-params.js';
import { tempDir } from '../helpers/cli.js';

async function settingsOf(url: string): Promise<string[]> {
  const database = await openDatabase(url, { onNote: () => {} });
  try {
    const { rows } = await sql<{ sb: string; mc: string }>`
      select current_setting('shared_buffers') as sb, current_setting('max_connections') as mc`.execute(database.db);
    return [`shared_buffers=${rows[0].sb}`, `max_connections=${rows[0].mc}`];
  } finally {
    await database.close();
  }
}

describe('the embedded database settings', () => {
  it('memory: runs with them', async () => {
    expect(await settingsOf('memory:')).toEqual([...PGLITE_SETTINGS]);
  });

  it('a folder runs with them when new and again when reopened (the data directory still says 128MB)', async () => {
    const url = `pglite:${path.join(tempDir(), 'db')}`;
    expect(await settingsOf(url)).toEqual([...PGLITE_SETTINGS]);
    expect(await settingsOf(url)).toEqual([...PGLITE_SETTINGS]);
  });
});
