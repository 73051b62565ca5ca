// JSON Schemas of the service's requests and answers, validated with the project's ajv.
import { PROJECT_ID_PATTERN } from '../model/project-id.js';
const tokenIds = { type: 'array', items: { type: 'string' } } as const;
const error = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;
// Path parameter: the one project id grammar (src/model/project-id.ts); anything else is a 400
// before any lookup, so '..', '%2F', NUL or look-alikes never reach the database or a log line.
const projectId = { type: 'string', pattern: PROJECT_ID_PATTERN } as const;
const pid = { type: 'object', required: ['pid'], properties: { pid: projectId } } as const;
const tokenRow = {
  type: 'object',
  required: ['tokenId', 'registeredAt', 'expired'],
  properties: {
    tokenId: { type: 'string' },
    registeredAt: { type: 'string' },
    firstUsedAt: { type: ['string', 'null'] },
    expiresAt: { type: ['string', 'null'] },
    expired: { type: 'boolean' },
    completed: { type: 'boolean' },
  },
} as const;

export const registerSchema = {
  params: pid,
  body: { type: 'object', additionalProperties: false, required: ['tokenIds'], properties: { tokenIds } },
  response: {
    200: {
      type: 'object',
      properties: { added: { type: 'integer' }, overwritten: { type: 'integer' }, registered: { type: 'integer' } },
    },
    '4xx': error,
  },
} as const;

export const importSchema = {
  params: pid,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['content'],
    properties: {
      // The file's name tells lines, CSV (.csv) and NDJSON (.ndjson, .jsonl) apart, as on the CLI.
      file: { type: 'string', minLength: 1, maxLength: 200 },
      content: { type: 'string' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        added: { type: 'integer' },
        overwritten: { type: 'integer' },
        registered: { type: 'integer' },
        ids: { type: 'integer' },
        format: { type: 'string' },
      },
    },
    '4xx': error,
  },
} as const;

export const deleteSchema = {
  params: pid,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { oldest: { type: 'string', pattern: '^[0-9]{1,9}$' } },
  },
  body: { type: ['object', 'null'], additionalProperties: false, properties: { tokenIds } },
  response: { 200: { type: 'object', properties: { deleted: { type: 'integer' } } }, '4xx': error },
} as const;

export const listSchema = {
  params: pid,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { after: { type: 'string', maxLength: 400 }, limit: { type: 'string', pattern: '^[0-9]{1,9}$' } },
  },
  response: {
    200: { type: 'object', properties: { tokens: { type: 'array', items: tokenRow }, next: { type: 'string' } } },
    '4xx': error,
  },
} as const;

export const countSchema = {
  params: pid,
  response: {
    200: { type: 'object', properties: { registered: { type: 'integer' }, expired: { type: 'integer' } } },
    '4xx': error,
  },
} as const;

export const getSchema = {
  params: { type: 'object', required: ['pid', 'tokenId'], properties: { pid: projectId, tokenId: { type: 'string' } } },
  response: { 200: tokenRow, '4xx': error },
} as const;

// No NUL in what admission passes to PostgreSQL (a text parameter cannot hold one: the statement
// failed, a 500 for anyone, before /check's key was looked at). The body is read as the project id,
// the token (also params.token) and the encrypted parameters (also params.encrypted).
const NO_NUL = '^[^\\u0000]*$';
const admissionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['pid'],
  properties: {
    pid: { type: 'string', minLength: 1, maxLength: 200, pattern: NO_NUL },
    token: { type: 'string', pattern: NO_NUL },
    params: {
      type: 'object',
      maxProperties: 100,
      additionalProperties: { type: 'string', maxLength: 4096, pattern: NO_NUL },
    },
    encrypted: { type: 'string', maxLength: 65536, pattern: NO_NUL },
  },
} as const;

const admissionAnswer = {
  type: 'object',
  required: ['admitted'],
  properties: {
    admitted: { type: 'boolean' },
    sessionId: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    dryRun: { type: 'boolean' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const admissionSchema = {
  body: admissionBody,
  response: { 200: admissionAnswer, 403: admissionAnswer, '4xx': error },
} as const;

export const completeSchema = {
  params: { type: 'object', required: ['sessionId'], properties: { sessionId: { type: 'string' } } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['result'],
    properties: { result: { enum: ['approved', 'rejected', 'pending'] } },
  },
  response: {
    200: { type: 'object', properties: { sessionId: { type: 'string' }, result: { type: 'string' } } },
    '4xx': error,
  },
} as const;
