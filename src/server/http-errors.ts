// Core errors as HTTP answers: `{"code", "message"}` with a status per code.
import type { FastifyReply } from 'fastify';
import type { TokenErrorCode } from '../tokens/token-errors.js';

const STATUS: Record<TokenErrorCode, number> = {
  invalid_payload: 400,
  invalid_token_id: 400,
  invalid_token_id_format: 400,
  invalid_project: 404,
  request_token_limit_exceeded: 409,
  token_id_not_found: 404,
  token_not_found: 404,
  token_expired: 403,
  token_completed: 403,
  pre_registration_off: 409,
  project_closed: 403,
  emergency_stop: 403,
  encrypted_only: 403,
  session_not_found: 404,
  session_completed: 409,
  url_completed: 403,
  transmission_required: 415,
  transmission_invalid: 400,
  invalid_api_key: 401,
  ip_not_allowed: 403,
  not_found: 404,
  encrypted_invalid: 403,
  encrypted_unknown_key: 403,
  encrypted_tampered: 403,
  encrypted_method_not_accepted: 403,
};

export function statusOf(code: TokenErrorCode): number {
  return STATUS[code] ?? 400;
}

export function sendError(reply: FastifyReply, code: TokenErrorCode, message: string): FastifyReply {
  return reply.code(statusOf(code)).send({ code, message });
}

/** TokenError messages start with "[code] "; the code travels in its own field. */
export function plainMessage(message: string): string {
  return message.replace(/^\[[a-z_]+\] /, '');
}
