// A sealed message that cannot be made or opened: a user's problem (wrong key, altered data,
// unsupported key), reported in one line with exit 1 by the CLI, never with a stack.
import { UserError } from '../errors.js';

export class TransmitError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'TransmitError';
  }
}
