// The token API's error codes, as the real service names them.
import { GuardError, UserError } from '../errors.js';

export type TokenErrorCode =
  | 'invalid_payload'
  | 'invalid_project'
  | 'invalid_token_id'
  | 'invalid_token_id_format'
  | 'request_token_limit_exceeded'
  | 'token_id_not_found'
  | 'token_not_found'
  | 'token_expired'
  | 'token_completed'
  | 'pre_registration_off'
  // ours, for the service: admission refusals, sessions, authentication
  | 'project_closed'
  | 'emergency_stop'
  | 'encrypted_only'
  | 'session_not_found'
  | 'session_completed'
  | 'url_completed'
  // secure transmission (docs/secure-transmission.md): a clear or unopenable request body
  | 'transmission_required'
  | 'transmission_invalid'
  | 'invalid_api_key'
  | 'ip_not_allowed'
  | 'not_found'
  // encrypted Liveform parameters (docs/url-encryption.md)
  | 'encrypted_invalid'
  | 'encrypted_unknown_key'
  | 'encrypted_tampered'
  | 'encrypted_method_not_accepted';

export class TokenError extends UserError {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    hint?: string,
  ) {
    super(`[${code}] ${message}`, hint);
    this.name = 'TokenError';
  }
}

/** Refusals of a token at the Liveform (not usage errors): exit 3 like other guards. */
export class TokenRefused extends GuardError {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(`[${code}] ${message}`);
    this.name = 'TokenRefused';
  }
}
