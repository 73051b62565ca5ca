// The few error classes argosctl throws. Expected problems carry an exit code and a hint;
// anything else is an internal bug and is reported with a stack trace.
export class UserError extends Error {
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A safety guard refused: stale plan, lock not obtained, risky change not allowed. Exit 3. */
export class GuardError extends UserError {
  override readonly exitCode = 3;
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'GuardError';
  }
}

export class LockError extends GuardError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'LockError';
  }
}

/** Exit with a code and no message (e.g. `plan --detailed-exitcode` with changes). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
