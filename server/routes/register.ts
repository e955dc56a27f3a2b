// Registers the route table on Fastify: authenticate and check the role in an onRequest hook (before a byte of
// the body is read or parsed: a tokenless or wrong-role request never costs a multi-MiB JSON parse), then
// parse body and query with zod, run the handler, and (when asked) check the response against its schema.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { compileSafeParse } from '../../shared/fast-parse';
import { authenticate, requireRole } from '../auth';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from '../json-depth';
import { JsonText } from '../json-text';
import { badRequest, fromZodError, ProblemError } from '../problem';
import type { AuthUser, ServerContext } from '../services/context';
import type { RouteSpec } from './define';

export function registerRoutes(app: FastifyInstance, ctx: ServerContext, routes: RouteSpec[], opts: { validateResponses: boolean }): void {
  const users = new WeakMap<FastifyRequest, AuthUser>();
  for (const r of routes) {
    const parseBody = r.body && r.bodyFastPath ? compileSafeParse(r.body) : r.body?.safeParse.bind(r.body);
    app.route({
      method: r.method,
      url: r.path,
      ...(r.bodyLimit ? { bodyLimit: r.bodyLimit } : {}),
      // onRequest runs before Fastify reads the body; only a request that may use this route gets its body parsed,
      // so the route's body limit is also a limit per role.
      onRequest: async (request) => {
        if (r.access === 'public') return;
        const user = await authenticate(ctx.db, request.headers.authorization, ctx.now());
        if (Array.isArray(r.access)) requireRole(user, r.access, `${r.method} ${r.path}`);
        users.set(request, user);
      },
      handler: async (request, reply) => {
        const user: AuthUser = users.get(request) ?? { id: '', name: '', roles: [] };
        let body: unknown = undefined;
        if (parseBody) {
          if (exceedsJsonDepth(request.body)) throw badRequest(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
          const parsed = parseBody(request.body);
          if (!parsed.success) throw fromZodError(parsed.error, 'request body');
          body = parsed.data;
        }
        let query: unknown = undefined;
        if (r.query) {
          const parsed = r.query.safeParse(request.query ?? {});
          if (!parsed.success) throw fromZodError(parsed.error, 'query');
          query = parsed.data;
        }
        const result = await r.handler({ user, body, query, ctx });
        if (opts.validateResponses) {
          const checked = r.response.safeParse(result instanceof JsonText ? JSON.parse(result.text.toString()) : result);
          if (!checked.success) {
            request.log.error({ issues: checked.error.issues.slice(0, 5) }, 'response does not match its schema');
            throw new ProblemError('internal', 500, `response of ${r.method} ${r.path} does not match its schema: ${checked.error.issues[0]?.message}`);
          }
        }
        if (result instanceof JsonText) reply.code(r.status ?? 200).type('application/json; charset=utf-8').send(result.text);
        else reply.code(r.status ?? 200).send(result);
        return reply;
      },
    });
  }
}
