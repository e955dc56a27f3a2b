// The design loop of exception operations (DESIGN §8): design signals and their accept / dismiss, the
// operations scorecard, and the weekly review pack (read, mark reviewed, export). Who sees what is the
// metrics' rule: supervisors and admins every path, an owner the paths they own, nobody else anything.
import {
  DesignSignalsResponse, ScorecardQuery, ScorecardResponse, SignalDecisionRequest, SignalDecisionResponse, SignalsQuery, WeeklyExport, WeeklyExportQuery,
  WeeklyReviewMark, WeeklyReviewMarkResponse, WeeklyReviewPack, WeeklyReviewQuery,
} from '../../shared/ops-api';
import { operationsScorecard } from '../services/ops/scorecard';
import { decideSignal, designSignals } from '../services/ops/signals';
import { markWeekReviewed, weeklyExport, weeklyPack } from '../services/ops/weekly-pack';
import { defineRoute } from './define';

export const opsReviewRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/metrics/signals', summary: 'Design signals of the paths I see over an interval: evidence (n, value, threshold, items), minutes a week saved, status',
    access: ['supervisor', 'owner', 'admin'], query: SignalsQuery, response: DesignSignalsResponse,
    handler: async ({ ctx, user, query }) => designSignals(ctx, user, query),
  }),
  defineRoute({
    method: 'POST', path: '/v1/signals/decisions', summary: 'Accept (an action item in the weekly review) or dismiss a design signal, with a reason; an ops event',
    access: ['owner', 'admin'], body: SignalDecisionRequest, response: SignalDecisionResponse, problems: [404],
    handler: async ({ ctx, user, body }) => decideSignal(ctx, user, body),
  }),
  defineRoute({
    method: 'GET', path: '/v1/metrics/scorecard', summary: 'Operations scorecard per workflow: the five questions of an exception-ops review, green/amber/red with n and evidence',
    access: ['supervisor', 'owner', 'admin'], query: ScorecardQuery, response: ScorecardResponse,
    handler: async ({ ctx, user, query }) => operationsScorecard(ctx, user, query),
  }),
  defineRoute({
    method: 'GET', path: '/v1/reviews/weekly', summary: 'The weekly review pack of an owner and ISO week: SLA, breaches, approval latency, rework, tax, reason codes, signals, alerts, rollbacks, action items',
    access: ['supervisor', 'owner', 'admin'], query: WeeklyReviewQuery, response: WeeklyReviewPack, problems: [404],
    handler: async ({ ctx, user, query }) => weeklyPack(ctx, user, query),
  }),
  defineRoute({
    method: 'POST', path: '/v1/reviews/weekly', summary: 'Mark an owner\'s week reviewed with notes and action items (an ops event; the same again records nothing)',
    access: ['owner', 'admin'], body: WeeklyReviewMark, response: WeeklyReviewMarkResponse, problems: [404],
    handler: async ({ ctx, user, body }) => markWeekReviewed(ctx, user, body),
  }),
  defineRoute({
    method: 'GET', path: '/v1/reviews/weekly/export', summary: 'The weekly review pack as Markdown (format=md) or CSV (format=csv): file name, content type and text',
    access: ['supervisor', 'owner', 'admin'], query: WeeklyExportQuery, response: WeeklyExport, problems: [404],
    handler: async ({ ctx, user, query }) => weeklyExport(ctx, user, query),
  }),
];
