// A failed desk call as a typed error the UI can branch on (code) and show (message).
import type { DeskError } from '../../shared/desk-api';

export class DeskCallError extends Error {
  readonly code: string;
  readonly details: unknown;
  readonly method: string;

  constructor(method: string, error: DeskError) {
    super(error.message);
    this.name = 'DeskCallError';
    this.code = error.code;
    this.details = error.details;
    this.method = method;
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof DeskCallError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function errorCode(e: unknown): string {
  return e instanceof DeskCallError ? e.code : 'internal';
}
