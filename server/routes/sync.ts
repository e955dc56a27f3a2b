// Reviewers' (and owners') pull and push.
import { PullQuery, PullResponse, PushRequest, PushResponse } from '../../shared/central-api';
import { pull } from '../services/pull';
import { push } from '../services/push';
import { defineRoute } from './define';

import { PUSH_BODY_LIMIT } from '../../shared/limits';

export { PUSH_BODY_LIMIT };

export const syncRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/sync/pull', summary: 'Changes to my assigned set since `cursor`, and my mutation results',
    access: ['reviewer', 'owner'], query: PullQuery, response: PullResponse,
    handler: async ({ ctx, user, query }) => pull(ctx, user, query),
  }),
  defineRoute({
    method: 'POST', path: '/v1/sync/push', summary: 'Ordered, numbered mutations; a result for each',
    access: ['reviewer', 'owner'], body: PushRequest, bodyFastPath: true, response: PushResponse, bodyLimit: PUSH_BODY_LIMIT, problems: [409, 413, 503],
    handler: async ({ ctx, user, body }) => push(ctx, user, body),
  }),
];
