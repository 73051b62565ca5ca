// apply shows the plan first, then its progress, then "Applied: …" (both streams, in the order a
// terminal shows them), and the plan says apply will need the master key when it issues secrets.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

describe('apply --auto-approve', () => {
  it('prints the plan, then "writing … committing", then "Applied:"', () => {
    const cwd = tempDir('examples/bank');
    const merged = execFileSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" apply --auto-approve --database-url memory: 2>&1`],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
        encoding: 'utf8',
      },
    );
    const plan = merged.indexOf('+ project kbank-onboarding will be created');
    const keyNote = merged.indexOf('Apply issues new secret material for kbank-onboarding');
    const writing = merged.indexOf('apply: writing');
    const committing = merged.indexOf('; committing');
    const applied = merged.indexOf('Applied: 2 to create');
    expect(
      [plan, keyNote, writing, committing, applied].every((i) => i >= 0),
      merged,
    ).toBe(true);
    expect(plan < keyNote && keyNote < writing && writing < committing && committing < applied, merged).toBe(true);
  });
});
