// Every route of the central API v1, in one table.
import { basicRoutes } from './basics';
import { bundleRoutes } from './bundles';
import type { RouteSpec } from './define';
import { metricsRoutes } from './metrics';
import { opsRoutes } from './ops';
import { opsReviewRoutes } from './ops-review';
import { syncRoutes } from './sync';
import { workRoutes } from './work';

export const apiRoutes: RouteSpec[] = [...basicRoutes, ...workRoutes, ...syncRoutes, ...bundleRoutes, ...opsRoutes, ...metricsRoutes, ...opsReviewRoutes];
