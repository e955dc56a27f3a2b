// Producers' ingest and decisions feed; reviewers' claims; supervisors' assignments.
import {
  AssignmentRequest, AssignmentResponse, ClaimRequest, ClaimResponse, DecisionsQuery, DecisionsResponse, IngestRequest, IngestResponse,
  LeaseRenewRequest, LeaseRenewResponse,
} from '../../shared/central-api';
import { readDecisions } from '../services/decisions-feed';
import { ingest } from '../services/ingest';
import { assign, claim, renewLeases } from '../services/leases';
import { defineRoute } from './define';

import { INGEST_BODY_LIMIT } from '../../shared/limits';

export { INGEST_BODY_LIMIT };

export const workRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/exceptions', summary: 'Ingest up to 1,000 exceptions; idempotent on (source, externalId)',
    access: ['producer'], body: IngestRequest, bodyFastPath: true, response: IngestResponse, bodyLimit: INGEST_BODY_LIMIT, problems: [413],
    handler: async ({ ctx, user, body }) => ingest(ctx, user, body),
  }),
  defineRoute({
    method: 'POST', path: '/v1/claims', summary: 'Lease up to `count` open items, oldest SLA due first',
    access: ['reviewer'], body: ClaimRequest, response: ClaimResponse,
    handler: async ({ ctx, user, body }) => ({ items: await claim(ctx, user, body) }),
  }),
  defineRoute({
    method: 'POST', path: '/v1/leases/renew', summary: 'Extend leases the caller holds (same epoch); the rest are listed as not renewed',
    access: ['reviewer'], body: LeaseRenewRequest, response: LeaseRenewResponse,
    handler: async ({ ctx, user, body }) => renewLeases(ctx, user, body),
  }),
  defineRoute({
    method: 'POST', path: '/v1/assignments', summary: 'Assign or reassign items to a user (new lease each)',
    access: ['supervisor'], body: AssignmentRequest, response: AssignmentResponse, problems: [404, 409],
    handler: async ({ ctx, user, body }) => ({ items: await assign(ctx, user, body) }),
  }),
  defineRoute({
    method: 'GET', path: '/v1/decisions', summary: 'Outcome feed (outcomes and reverts) with a cursor',
    access: ['producer'], query: DecisionsQuery, response: DecisionsResponse,
    handler: async ({ ctx, query }) => readDecisions(ctx.db, query),
  }),
];
