// Health, identity and queues.
import { z } from 'zod';
import { sql } from 'kysely';
import { API_VERSION, Health, Me, QueuesResponse, Readiness } from '../../shared/central-api';
import type { Role } from '../../shared/domain';
import { dialectOf } from '../db/dialect';
import { unavailable } from '../problem';
import { listQueues } from '../services/queues';
import { SERVER_VERSION } from '../version';
import { defineRoute } from './define';

export const basicRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/health', summary: 'Liveness and version', access: 'public', response: Health,
    handler: async ({ ctx }) => ({ status: 'ok' as const, version: SERVER_VERSION, apiVersion: API_VERSION as typeof API_VERSION, serverId: ctx.dbId }),
  }),
  defineRoute({
    method: 'GET', path: '/v1/ready', summary: 'Readiness for a load balancer: the database answers and the node is not draining (else 503)',
    access: 'public', response: Readiness, problems: [503],
    handler: async ({ ctx }) => {
      const reason = ctx.notReadyReason?.() ?? null;
      if (reason) throw unavailable(`not ready: ${reason}`, 2);
      try {
        await sql`SELECT 1`.execute(ctx.db);
      } catch (err) {
        throw unavailable(`not ready: the database does not answer (${err instanceof Error ? err.message : String(err)})`, 2);
      }
      return { status: 'ready' as const, database: dialectOf(ctx.db) };
    },
  }),
  defineRoute({
    method: 'GET', path: '/v1/me', summary: 'The signed-in user: id, name, roles', access: 'any-user', response: Me,
    handler: async ({ user, ctx }) => ({ id: user.id, name: user.name, roles: user.roles as Role[], serverId: ctx.dbId }),
  }),
  defineRoute({
    method: 'GET', path: '/v1/queues', summary: 'Queues with class, owner, SLA target and reason codes', access: 'any-user',
    query: z.object({}), response: QueuesResponse,
    handler: async ({ ctx }) => ({ queues: await listQueues(ctx.db) }),
  }),
];
