// What a change to an encryption key means, in the plan's words: when new material is issued, and
// how long the old material keeps opening URLs (the project's grace, 7d unless the manifest says).
import {
  DEFAULT_RETIRED_KEY_VALID_SECONDS as DEFAULT_RETIRED_VALID_SECONDS,
  type Json,
} from '../model/project-settings.js';
import { formatDuration } from '../util/duration.js';

type KeyValue = { status?: string; rotate?: number } | null;

export function keyChangeReason(member: string, before: Json, after: Json, graceSeconds: number | null): string {
  const b = before as KeyValue;
  const a = after as KeyValue;
  const grace = formatDuration(graceSeconds ?? DEFAULT_RETIRED_VALID_SECONDS);
  if (!b)
    return `${member} is in the manifest but not in the database: new material is issued at apply (shown once by keys reveal)`;
  if (!a)
    return `${member} is in the database but not in the manifest: its material is destroyed and its URLs stop opening at apply`;
  const parts: string[] = [];
  if ((a.rotate ?? 1) < (b.rotate ?? 1)) {
    parts.push(
      `rotate lowered ${b.rotate ?? 1} → ${a.rotate ?? 1}: the newer material is destroyed at apply and new material is issued`,
    );
  } else if ((b.rotate ?? 1) !== (a.rotate ?? 1)) {
    parts.push(
      `rotate ${b.rotate ?? 1} → ${a.rotate ?? 1}: new material is issued; the previous material keeps opening URLs for ${grace} after apply, then stops`,
    );
  } else if (b.status !== a.status) {
    parts.push(
      a.status === 'retired'
        ? `retired: it stops encrypting, keeps opening URLs for ${grace} after apply, then stops`
        : 'reactivated: the retired key encrypts and opens URLs again',
    );
  }
  return `${member} differs${parts.length ? `: ${parts.join('; ')}` : ''}`;
}
