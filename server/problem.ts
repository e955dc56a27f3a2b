// RFC 9457 problem details. Every error the server answers goes through ProblemError so it carries a
// stable `type` from PROBLEM_TYPES; clients branch on `type`, never on `title`.
import type { ZodError } from 'zod';
import { PROBLEM_TYPES, type Problem } from '../shared/central-api';
import { isTransientPgError } from './db/dialect';

export type ProblemKind = keyof typeof PROBLEM_TYPES;

const TITLES: Record<ProblemKind, string> = {
  validation: 'Invalid request',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  notFound: 'Not found',
  mutationGap: 'Mutation id gap',
  clientOwnedByOther: 'Client id belongs to another user',
  payloadTooLarge: 'Payload too large',
  unavailable: 'Service temporarily unavailable',
  conflict: 'Conflict',
  internal: 'Internal server error',
  bundleRefused: 'Bundle refused',
};

export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(kind: ProblemKind, status: number, detail: string, extra: Partial<Problem> = {}, headers: Record<string, string> = {}) {
    super(detail);
    this.problem = { type: PROBLEM_TYPES[kind], title: TITLES[kind], status, detail, ...extra };
    this.headers = headers;
  }
}

export const badRequest = (detail: string, errors?: Problem['errors']) =>
  new ProblemError('validation', 400, detail, errors ? { errors } : {});

export function fromZodError(err: ZodError, where: string): ProblemError {
  const errors = err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  const first = errors[0];
  const detail = `${where} is invalid: ${first ? `${first.path}: ${first.message}` : 'unknown error'}` +
    (errors.length > 1 ? ` (and ${errors.length - 1} more)` : '');
  return badRequest(detail, errors);
}

export const unauthorized = (detail: string) =>
  new ProblemError('unauthorized', 401, detail, {}, { 'www-authenticate': 'Bearer realm="exception-desk"' });
export const forbidden = (detail: string) => new ProblemError('forbidden', 403, detail);
export const notFound = (detail: string) => new ProblemError('notFound', 404, detail);
export const conflictProblem = (detail: string) => new ProblemError('conflict', 409, detail);
export const unavailable = (detail: string, retryAfterSec = 1) =>
  new ProblemError('unavailable', 503, detail, {}, { 'retry-after': String(retryAfterSec) });

/** Database errors (SQLite or PostgreSQL) that mean "try again shortly", not "your request is wrong". */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|CANTOPEN)/.test(code)) || isTransientPgError(err);
}
