// One route = one entry: method, path, who may call it, zod schemas and handler. The same table drives
// registration (auth, role check, zod parsing) and the OpenAPI document, so the two cannot drift.
import type { z } from 'zod';
import type { Role } from '../../shared/domain';
import type { JsonText } from '../json-text';
import type { AuthUser, ServerContext } from '../services/context';

export type Access = 'public' | 'any-user' | readonly Role[];

export interface RouteInput<B, Q> { user: AuthUser; body: B; query: Q; ctx: ServerContext }

export interface RouteSpec<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  access: Access;
  body?: B;
  query?: Q;
  response: R;
  status?: number;
  bodyLimit?: number;
  /**
   * Parse the body through its compiled fast path (shared/fast-parse.ts): zod's own answer, proven equal for this
   * body's schema in test/shared/fast-parse-central.test.ts; anything the fast path does not accept, zod decides.
   * For the hot bodies (ingest, push), where zod's generic walk was a tenth of the request's CPU.
   */
  bodyFastPath?: true;
  /** Extra problem statuses worth documenting beyond the generic ones. */
  problems?: number[];
  /** Answers the response value, or its JSON already serialised (JsonText: stored JSON spliced in). */
  handler: (input: RouteInput<z.output<B>, z.output<Q>>) => Promise<z.input<R> | JsonText>;
}

export function defineRoute<B extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(spec: RouteSpec<B, Q, R>): RouteSpec {
  return spec as unknown as RouteSpec;
}
