// The `labor` item event: review labor behind a mutation that ended in a conflict (the world moved: reassigned,
// resolved_elsewhere, lease_expired, stale_epoch, withdrawn). An applied mutation carries its labor in its own
// event (`decided`, `escalated`, `deferred`, `reclassified`, `noted`, `reverted`: payload.labor); a conflict has
// no such event, so the server records its labor here, once, when the push settles it (a duplicate re-push
// records nothing). Rejections (the mutation could never apply, e.g. not_assigned) record no labor. Metrics
// add both to count all the time spent.
import { z } from 'zod';
import { Id, IsoDateTime, Labor, MutationKind } from './domain';

export const LABOR_EVENT_TYPE = 'labor';

/** item_events row: type `labor`, item_id = the mutation's itemId, actor = the reviewer, at = server time. */
export const LaborEventPayload = z.object({
  /** How the push settled the mutation. */
  status: z.literal('conflict'),
  /** Its result code (MUTATION_RESULT_CODES), e.g. `reassigned`, `lease_expired`, `not_assigned`. */
  code: z.string(),
  kind: MutationKind,
  labor: Labor,
  /** The client's wall-clock time of the decision (Mutation.at). */
  clientAt: IsoDateTime,
  clientId: z.string(),
  mutationId: z.number().int().min(1),
  /** The item's queue and class when the item exists (null for `unknown_item`). */
  queueId: Id.nullable(),
  exceptionClass: z.string().nullable(),
});
export type LaborEventPayload = z.infer<typeof LaborEventPayload>;
