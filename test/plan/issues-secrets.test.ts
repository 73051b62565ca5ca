// The plan says when apply will need the master key: exactly the changes that issue secret material.
import { describe, expect, it } from 'vitest';
import { projectsIssuingSecrets } from '../../src/plan/issues-secrets.js';
import type { Change } from '../../src/plan/plan-types.js';
import { masterKeyNote } from '../../src/render/master-key-note.js';

const change = (c: Partial<Change>): Change =>
  ({ action: 'update', projectId: 'p', path: 'spec.status', before: null, after: null, reason: '', ...c }) as Change;

describe('changes that issue secret material', () => {
  it('names created projects with keys, key additions and rotations; not status changes, retirements or removals', () => {
    const changes = [
      change({
        action: 'create',
        projectId: 'with-key',
        path: 'project',
        after: { encryptionKeys: [{ name: 'k' }], apiKeyRotation: null },
      }),
      change({
        action: 'create',
        projectId: 'bare',
        path: 'project',
        after: { encryptionKeys: [], apiKeyRotation: null, webhookSecretRotation: null },
      }),
      change({ projectId: 'api', path: 'spec.security.apiKey.rotation', before: 1, after: 2 }),
      change({ projectId: 'revoked', path: 'spec.security.apiKey.rotation', before: 1, after: null }),
      change({
        action: 'add',
        projectId: 'added',
        path: 'spec.encryption.keys',
        member: 'k2',
        after: { status: 'active' },
      }),
      change({
        projectId: 'retired',
        path: 'spec.encryption.keys',
        member: 'k',
        before: { status: 'active' },
        after: { status: 'retired' },
      }),
      change({
        projectId: 'rotated',
        path: 'spec.encryption.keys',
        member: 'k',
        before: { status: 'active' },
        after: { status: 'active', rotate: 2 },
      }),
      change({
        action: 'remove',
        projectId: 'removed',
        path: 'spec.encryption.keys',
        member: 'k',
        before: { status: 'retired' },
        after: null,
      }),
      change({ projectId: 'hook', path: 'spec.webhook.secretRotation', before: null, after: 1 }),
      change({ projectId: 'status', path: 'spec.status', before: 'TEST', after: 'OPEN' }),
    ];
    expect(projectsIssuingSecrets({ changes })).toEqual(['with-key', 'api', 'added', 'rotated', 'hook']);
  });

  it('the note names at most five projects, escaped by the caller, and is absent when nothing is issued', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const changes = ids.map((id) =>
      change({ projectId: id, path: 'spec.security.apiKey.rotation', before: 1, after: 2 }),
    );
    expect(masterKeyNote({ changes }, (id) => `[${id}]`)).toMatch(
      /^Apply issues new secret material for \[a\], \[b\], \[c\], \[d\], \[e\] and 2 more and seals it with the master key: set ARGOS_MASTER_KEY/,
    );
    expect(masterKeyNote({ changes: [change({})] }, String)).toBeUndefined();
  });
});
