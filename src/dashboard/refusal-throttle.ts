// Refused sign-ins are written down, but a client that repeats one (a browser reloading the
// no-project page, a script sending a forged header in a loop) must not fill admin_logins. The
// email of a refusal is whatever the client sent, so a script can change it at every request: the
// limit is per client and kind of refusal, not per email. Per process and per minute: the same email
// once, at most PER_ADDRESS emails from one client for one kind, and at most OVERALL refusals in all.
// The caller passes the client as it counts clients elsewhere (an IPv6 address by its /64) and a kind
// that does not vary per request (not a message that quotes the email). A client can thereby keep its
// own later refusals out of the table for the minute; only the overall cap, reached by many clients
// at once, holds back other clients' refusals.

const WINDOW_MS = 60_000;
/** Distinct emails written down per address and reason a minute: a person mistyping, not a script. */
const PER_ADDRESS = 3;
/** Refusals written down a minute by one process, whatever their addresses (a script rotating IPv6 addresses). */
const OVERALL = 100;
const MAX_KEYS = 10_000;

interface Seen {
  since: number;
  emails: Set<string>;
}

export class RefusalThrottle {
  private readonly seen = new Map<string, Seen>();
  private window = { since: Number.NEGATIVE_INFINITY, admitted: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  /** True when this refusal should be recorded now. */
  admit(client: string, email: string, kind: string): boolean {
    const at = this.now();
    if (at - this.window.since >= WINDOW_MS) this.window = { since: at, admitted: 0 };
    const key = `${client}\u0000${kind}`;
    let entry = this.seen.get(key);
    if (!entry || at - entry.since >= WINDOW_MS) {
      this.makeRoom(at);
      entry = { since: at, emails: new Set() };
      this.seen.set(key, entry);
    }
    const who = email.trim().toLowerCase();
    if (entry.emails.has(who) || entry.emails.size >= PER_ADDRESS || this.window.admitted >= OVERALL) return false;
    entry.emails.add(who);
    this.window.admitted++;
    return true;
  }

  private makeRoom(at: number): void {
    if (this.seen.size < MAX_KEYS) return;
    for (const [k, e] of this.seen) if (at - e.since >= WINDOW_MS) this.seen.delete(k);
    if (this.seen.size >= MAX_KEYS) this.seen.clear();
  }
}
