// Refused sign-ins are written down, but a client that repeats one (a browser reloading the
// no-project page, a script sending a forged header in a loop) must not fill admin_logins: the
// same refusal (address, email, reason) is recorded at most once a minute per process.

const WINDOW_MS = 60_000;
const MAX_KEYS = 10_000;

export class RefusalThrottle {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when this refusal should be recorded now. */
  admit(address: string, email: string, reason: string): boolean {
    const key = `${address}\u0000${email}\u0000${reason}`;
    const at = this.now();
    const last = this.seen.get(key);
    if (last !== undefined && at - last < WINDOW_MS) return false;
    if (this.seen.size >= MAX_KEYS) {
      for (const [k, t] of this.seen) if (at - t >= WINDOW_MS) this.seen.delete(k);
      if (this.seen.size >= MAX_KEYS) this.seen.clear();
    }
    this.seen.set(key, at);
    return true;
  }
}
