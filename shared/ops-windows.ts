// The intervals of the supervisor's and owner's views, relative to now, so the same view asks the same
// question and finds its stored answer offline. Zod-free: the renderer imports these values directly
// (its bundle carries no zod, issue 9 item 7); shared/ops-desk.ts builds the schema over them.
export const OPS_WINDOWS = ['1d', '7d', '28d', '56d', '91d'] as const;
export type OpsWindow = (typeof OPS_WINDOWS)[number];
export const OPS_WINDOW_DAYS: Record<OpsWindow, number> = { '1d': 1, '7d': 7, '28d': 28, '56d': 56, '91d': 91 };
export const OPS_WINDOW_LABELS: Record<OpsWindow, string> = {
  '1d': 'Last 24 hours', '7d': 'Last 7 days', '28d': 'Last 4 weeks', '56d': 'Last 8 weeks', '91d': 'Last quarter',
};
