// The error kinds live in src/errors.ts (every layer may throw them; only the faces map them to
// exit codes). Re-exported here for the command files.
export * from '../errors.js';
