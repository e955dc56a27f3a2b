// The one dispatcher both transports use (DESIGN §4): parse the input with the method's zod schema
// before any handler runs, run it, check the output, and answer a DeskResult. Never throws.
import { deskMethods, type DeskMethod, type DeskResult } from '../../shared/desk-api';
import { HttpError, NetworkError, ProtocolError } from './central-client';
import { DeskFailure } from './desk-failure';
import type { HandlerTable } from './handlers';
import { traced } from './work-trace';

export type Call = (method: string, input: unknown) => Promise<DeskResult<unknown>>;

export function createDispatcher(handlers: HandlerTable, onInternalError: (method: string, e: unknown) => void = () => {}): Call {
  return async (method, input) => {
    if (typeof method !== 'string' || !Object.hasOwn(deskMethods, method)) {
      return fail('unknown_method', `unknown desk method '${String(method).slice(0, 100)}'`);
    }
    const m = method as DeskMethod;
    const spec = deskMethods[m];
    // Transports may send no body for methods without input.
    const parsed = spec.input.safeParse(input === undefined ? {} : input);
    if (!parsed.success) {
      return fail('bad_input', `${m}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    try {
      const handler = handlers[m] as (i: unknown) => unknown;
      const value = await traced(m, () => handler(parsed.data));
      const out = spec.output.safeParse(value);
      if (!out.success) {
        onInternalError(m, out.error);
        return fail('internal', `${m} produced an answer outside its contract: ${out.error.issues[0]?.path.join('.')}: ${out.error.issues[0]?.message}`);
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (e instanceof DeskFailure) return fail(e.code, e.message, e.details);
      if (e instanceof NetworkError) return fail('network', e.message);
      if (e instanceof HttpError) return fail(e.status === 401 ? 'unauthorized' : 'server', e.message);
      if (e instanceof ProtocolError) return fail('server', e.message);
      onInternalError(m, e);
      return fail('internal', `${m} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

function fail(code: string, message: string, details?: unknown): DeskResult<never> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}
