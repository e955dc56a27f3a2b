// Exception operations (DESIGN §8): producers' runs and corrections, queue policy, rollbacks and
// rollback-trigger alerts. Metrics routes are in routes/metrics.ts.
import { z } from 'zod';
import {
  AlertAckRequest, AlertsQuery, AlertsResponse, CorrectionsRequest, CorrectionsResponse, ItemsReadQuery, ItemsReadResponse, QueuePoliciesResponse, QueuePolicy, QueuePolicyUpdate,
  RollbackAlert, RollbackProgress, RollbackQuery, RollbackRequest, RollbackResponse, RunsRequest, RunsResponse,
} from '../../shared/ops-api';
import { recordCorrections, recordRuns } from '../services/ops/inputs';
import { readItems } from '../services/ops/items';
import { listPolicies, updatePolicy } from '../services/ops/policies';
import { rollback, rollbackProgress } from '../services/ops/rollbacks';
import { acknowledgeAlert, listAlerts } from '../services/ops/triggers';
import { defineRoute } from './define';

/** Runs and corrections: up to 1,000 reports of a few hundred bytes each. */
export const OPS_INPUT_BODY_LIMIT = 2 * 1024 * 1024;

export const opsRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/items', summary: 'The items behind a figure, read-only, with their event log (supervisors; owners their paths; others\' ids answer as missing)',
    access: ['supervisor', 'owner', 'admin'], query: ItemsReadQuery, response: ItemsReadResponse,
    handler: async ({ ctx, user, query }) => readItems(ctx, user, query),
  }),
  defineRoute({
    method: 'POST', path: '/v1/runs', summary: 'Workflow run volumes per period, with straight-through cost; idempotent on (source, workflow, stage, periodStart)',
    access: ['producer'], body: RunsRequest, response: RunsResponse, bodyLimit: OPS_INPUT_BODY_LIMIT, problems: [409, 413],
    handler: async ({ ctx, user, body }) => recordRuns(ctx, user, body),
  }),
  defineRoute({
    method: 'POST', path: '/v1/corrections', summary: 'Outcomes found wrong downstream, with their cost; idempotent on (item, source, detectedAt); evaluates rollback triggers',
    access: ['producer'], body: CorrectionsRequest, response: CorrectionsResponse, bodyLimit: OPS_INPUT_BODY_LIMIT, problems: [409, 413],
    handler: async ({ ctx, user, body }) => recordCorrections(ctx, user, body),
  }),
  defineRoute({
    method: 'GET', path: '/v1/queue-policies', summary: 'Policy of every queue: owner, SLA target, labor cost, idle threshold, rollback trigger',
    access: ['supervisor', 'owner', 'admin'], query: z.object({}), response: QueuePoliciesResponse,
    handler: async ({ ctx }) => ({ policies: await listPolicies(ctx.db) }),
  }),
  defineRoute({
    method: 'POST', path: '/v1/queue-policies', summary: 'Change one queue\'s policy (an admin, or the queue\'s owner)',
    access: ['owner', 'admin'], body: QueuePolicyUpdate, response: QueuePolicy, problems: [404],
    handler: async ({ ctx, user, body }) => updatePolicy(ctx.db, user, body, ctx.now()),
  }),
  defineRoute({
    method: 'POST', path: '/v1/rollbacks', summary: 'Preview (count and sample) or apply (idempotent by rollbackId, in bounded batches) a rollback of outcomes',
    access: ['owner', 'admin'], body: RollbackRequest, response: RollbackResponse, problems: [409],
    handler: async ({ ctx, user, body }) => rollback(ctx, user, body),
  }),
  defineRoute({
    method: 'GET', path: '/v1/rollbacks', summary: 'Progress of a rollback (readable while it runs)',
    access: ['owner', 'admin', 'supervisor'], query: RollbackQuery, response: RollbackProgress, problems: [404],
    handler: async ({ ctx, user, query }) => rollbackProgress(ctx, user, query.rollbackId),
  }),
  defineRoute({
    method: 'GET', path: '/v1/alerts', summary: 'Rollback-trigger alerts of the paths I see, with a proposed rollback filter',
    access: ['owner', 'supervisor', 'admin'], query: AlertsQuery, response: AlertsResponse,
    handler: async ({ ctx, user, query }) => ({ alerts: await listAlerts(ctx, user, query) }),
  }),
  defineRoute({
    method: 'POST', path: '/v1/alerts/ack', summary: 'Acknowledge an alert (an event; idempotent)',
    access: ['owner', 'supervisor', 'admin'], body: AlertAckRequest, response: RollbackAlert, problems: [404],
    handler: async ({ ctx, user, body }) => acknowledgeAlert(ctx, user, body),
  }),
];
