// Transport refusals answer with the same DeskResult error shape the dispatcher uses, so the renderer
// has one error path whatever refused the call.
import type { DeskResult } from '../../shared/desk-api';

export function refusal(code: string, message: string, details?: unknown): DeskResult<never> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}
