// Crash tests need an apply that fails, or stalls, after its k-th statement. Tests only:
//   ARGOSCTL_FAULT_AFTER_STATEMENTS=k  throw after statement k (the transaction rolls back)
//   ARGOSCTL_PAUSE_AFTER_STATEMENTS=k  sleep 5 s after statement k (time to kill the backend)
const PAUSE_MS = 5000;

function intFrom(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export class StatementCounter {
  private count = 0;
  private readonly failAfter: number | undefined;
  private readonly pauseAfter: number | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.failAfter = intFrom(env.ARGOSCTL_FAULT_AFTER_STATEMENTS);
    this.pauseAfter = intFrom(env.ARGOSCTL_PAUSE_AFTER_STATEMENTS);
  }

  async run<T>(statement: () => Promise<T>): Promise<T> {
    const result = await statement();
    this.count++;
    if (this.count === this.pauseAfter) await new Promise((r) => setTimeout(r, PAUSE_MS));
    if (this.failAfter !== undefined && this.count >= this.failAfter) {
      throw new Error(`injected fault after statement ${this.count} (ARGOSCTL_FAULT_AFTER_STATEMENTS)`);
    }
    return result;
  }

  get statements(): number {
    return this.count;
  }
}
