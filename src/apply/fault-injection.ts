// Crash tests need a failure after the k-th statement of an apply. Set
// ARGOSCTL_FAULT_AFTER_STATEMENTS=k to make the applier fail there (tests only).
export class StatementCounter {
  private count = 0;
  private readonly failAfter: number | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const raw = env.ARGOSCTL_FAULT_AFTER_STATEMENTS;
    this.failAfter = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  }

  async run<T>(statement: () => Promise<T>): Promise<T> {
    const result = await statement();
    this.count++;
    if (this.failAfter !== undefined && this.count >= this.failAfter) {
      throw new Error(`injected fault after statement ${this.count} (ARGOSCTL_FAULT_AFTER_STATEMENTS)`);
    }
    return result;
  }

  get statements(): number {
    return this.count;
  }
}
