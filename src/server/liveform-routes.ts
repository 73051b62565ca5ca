// Liveform admission over HTTP: start (decide and record), check (the same answer, no writes),
// and complete (the session's final result). Refusals are 403 {"admitted": false, "code", "message"}.
import type { FastifyInstance } from 'fastify';
import {
  checkAdmission,
  completeSession,
  startAdmission,
  type AdmissionRequest,
  type Decision,
  type FinalResult,
} from '../tokens/admission.js';
import type { ServiceContext } from './app.js';
import { clientAddressOf } from './client-address.js';
import { keyOfBodyProject, keyOfSessionProject } from './liveform-access.js';
import { admissionSchema, completeSchema } from './schemas.js';
import { encryptionOf, noteAdmission } from './traffic-notes.js';

interface AdmissionBody {
  pid: string;
  token?: string;
  params?: Record<string, string>;
  encrypted?: string;
}

function toRequest(body: AdmissionBody, clientIp: string, masterKey: () => Buffer): AdmissionRequest {
  return {
    projectId: body.pid,
    tokenId: body.token,
    params: body.params,
    encrypted: body.encrypted,
    clientIp,
    masterKey,
  };
}

function answer(decision: Decision & { sessionId?: string }, dryRun: boolean) {
  if (!decision.admitted)
    return { status: 403, body: { admitted: false, code: decision.code, message: decision.message } };
  return {
    status: 200,
    body: {
      admitted: true,
      ...(decision.sessionId ? { sessionId: decision.sessionId } : {}),
      expiresAt: decision.expiresAt,
      ...(dryRun ? { dryRun } : {}),
    },
  };
}

/**
 * Bodies of these routes are read before anyone's key is known (/start needs none; /check's project
 * is named in its body), so each is capped at what a real one holds rather than at --body-limit: an
 * admission body is the encrypted parameters (at most 64 KiB) or a Liveform URL's own parameters
 * (a URL, a few KiB at most in practice); the schema's per-parameter bounds (100 of 4,096
 * characters) apply within the cap, not beyond it. A result is one word. A smaller --body-limit
 * still applies.
 */
export const ADMISSION_BODY_LIMIT = 96 * 1024;
export const COMPLETE_BODY_LIMIT = 1024;

export function liveformRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = ctx.database.db;
  const capped = (bytes: number) => Math.min(bytes, app.initialConfig.bodyLimit ?? bytes);
  const admissionRoute = { schema: admissionSchema, bodyLimit: capped(ADMISSION_BODY_LIMIT) };
  app.post<{ Body: AdmissionBody }>('/v1/liveform/start', admissionRoute, async (request, reply) => {
    const admission = toRequest(request.body, clientAddressOf(request), ctx.masterKey);
    const decision = await startAdmission(db, admission, ctx.now(), { projects: ctx.projects });
    ctx.metrics.admissions.inc({ decision: decision.admitted ? 'admitted' : decision.code });
    // An unknown project is not counted (its id is whatever the browser sent); no token ID is kept.
    if (decision.admitted || decision.code !== 'invalid_project') {
      const withToken = request.body.token ?? request.body.params?.token;
      const encrypted = request.body.encrypted ?? request.body.params?.encrypted;
      noteAdmission(request, {
        projectId: request.body.pid,
        outcome: decision.admitted ? 'ok' : decision.code,
        encryption: encryptionOf(encrypted),
        token: decision.registered
          ? 'registered'
          : (decision.admitted ? decision.tokenId !== null : withToken !== undefined)
            ? 'unregistered'
            : 'none',
      });
    }
    const { status, body } = answer(decision, false);
    return reply.code(status).send(body);
  });
  app.post<{ Body: AdmissionBody }>('/v1/liveform/check', admissionRoute, async (request, reply) => {
    const { status, body } = answer(
      await checkAdmission(
        db,
        toRequest(request.body, clientAddressOf(request), ctx.masterKey),
        ctx.now(),
        keyOfBodyProject(ctx, request),
      ),
      true,
    );
    return reply.code(status).send(body);
  });
  app.post<{ Params: { sessionId: string }; Body: { result: FinalResult } }>(
    '/v1/liveform/sessions/:sessionId/complete',
    { schema: completeSchema, bodyLimit: capped(COMPLETE_BODY_LIMIT) },
    async (request) => {
      const done = await completeSession(db, request.params.sessionId, request.body.result, ctx.now(), {
        gate: keyOfSessionProject(ctx, request),
      });
      return { sessionId: done.sessionId, result: done.result };
    },
  );
}
