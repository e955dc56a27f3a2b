// GET /v1/metrics/*: exception-operations figures (DESIGN §8). Supervisors and admins see every path, an
// owner the paths they own (another queue is a 403), reviewers and producers none.
import { ControlPointsResponse, ExceptionTaxQuery, ExceptionTaxResponse, MetricsQuery, TeamMetrics, TeamMetricsQuery } from '../../shared/ops-api';
import { controlPointMetrics, exceptionTaxMetrics, teamMetrics } from '../services/ops/metrics';
import { defineRoute } from './define';

const METRICS_ACCESS = ['supervisor', 'owner', 'admin'] as const;

export const metricsRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/metrics/team', summary: 'Throughput per interval and per reviewer per staffed hour, labor, active reviewers now',
    access: METRICS_ACCESS, query: TeamMetricsQuery, response: TeamMetrics,
    handler: async ({ ctx, user, query }) => teamMetrics(ctx, user, query),
  }),
  defineRoute({
    method: 'GET', path: '/v1/metrics/control-points', summary: 'Per control point: depth, age, first touch, resolution on the SLA clock, % within SLA, at risk, approval latency',
    access: METRICS_ACCESS, query: MetricsQuery, response: ControlPointsResponse,
    handler: async ({ ctx, user, query }) => controlPointMetrics(ctx, user, query),
  }),
  defineRoute({
    method: 'GET', path: '/v1/metrics/exception-tax', summary: 'Exception tax per workflow, class or queue in the queue\'s currency; cost to completion with and without exceptions',
    access: METRICS_ACCESS, query: ExceptionTaxQuery, response: ExceptionTaxResponse,
    handler: async ({ ctx, user, query }) => exceptionTaxMetrics(ctx, user, query),
  }),
];
