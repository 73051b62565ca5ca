// `sslcert`, `sslkey` and `sslrootcert` in a PostgreSQL URL name files the driver reads with a
// plain readFileSync: `sslcert=/dev/zero` hangs the command while memory grows, and a FIFO blocks
// it for ever. They go through the safe reader first (a regular file, size checked before reading);
// a refusal names the parameter, not its value (the display form hides these values).
import { UserError } from '../errors.js';
import { readRegularFile } from '../util/safe-read.js';

const SSL_FILE_PARAMS = ['sslcert', 'sslkey', 'sslrootcert'] as const;
/** Certificates and keys are a few KiB; a bundle of every public CA is about 250 KiB. */
export const MAX_SSL_FILE_BYTES = 1024 * 1024;

export function checkSslFileParams(url: string, display: string): void {
  const params = new URL(url).searchParams;
  for (const name of SSL_FILE_PARAMS) {
    for (const file of params.getAll(name)) {
      const read = readRegularFile(file, MAX_SSL_FILE_BYTES);
      if (!read.ok)
        throw new UserError(
          `database ${display}: the file named by ${name} ${read.problem}`,
          `${name} must name a regular file of at most ${MAX_SSL_FILE_BYTES} bytes (a PEM certificate or key)`,
        );
    }
  }
}
