// Row <-> contract conversion for items and queues (JSON columns parsed here, nowhere else).
import type { Item, Queue } from '../../shared/domain';
import type { ItemRow, QueueRow } from './schema';

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function itemFromRow(r: ItemRow): Item {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    queueId: r.queue_id,
    workflow: r.workflow,
    stage: r.stage,
    exceptionClass: r.exception_class as Item['exceptionClass'],
    title: r.title,
    ...(r.summary !== null ? { summary: r.summary } : {}),
    confidence: r.confidence,
    reasons: parse<Item['reasons']>(r.reasons) ?? [],
    input: parse<Item['input']>(r.input) ?? {},
    output: parse<Item['output']>(r.output) ?? {},
    status: r.status as Item['status'],
    assigneeId: r.assignee_id,
    assignmentEpoch: r.assignment_epoch,
    leaseExpiresAt: r.lease_expires_at,
    version: r.version,
    createdAt: r.created_at,
    enqueuedAt: r.enqueued_at,
    slaDueAt: r.sla_due_at,
    outcome: parse<Item['outcome']>(r.outcome),
    notes: parse<Item['notes']>(r.notes) ?? [],
    escalation: parse<Item['escalation']>(r.escalation),
  };
}

const json = JSON.stringify;
/** A stored JSON column as itemFromRow reads it, kept as text: null (or the JSON null) means `fallback`. */
const stored = (text: string | null, fallback: string) =>
  (text === null || text === 'null' || (text.length > 4 && text.length < 64 && text.trim() === 'null') ? fallback : text);

/**
 * The same JSON as `JSON.stringify(itemFromRow(r))` (same keys, same order, same values), with the stored JSON
 * columns spliced in as the text they are, never parsed and stringified again (issue 15 gap 1: pull pages).
 * The columns hold what toJson wrote from values the server had validated.
 */
export function itemJsonFromRow(r: ItemRow): string {
  return `{"id":${json(r.id)},"source":${json(r.source)},"externalId":${json(r.external_id)},"queueId":${json(r.queue_id)}`
    + `,"workflow":${json(r.workflow)},"stage":${json(r.stage)},"exceptionClass":${json(r.exception_class)},"title":${json(r.title)}`
    + (r.summary !== null ? `,"summary":${json(r.summary)}` : '')
    + `,"confidence":${json(r.confidence)},"reasons":${stored(r.reasons, '[]')},"input":${stored(r.input, '{}')},"output":${stored(r.output, '{}')}`
    + `,"status":${json(r.status)},"assigneeId":${json(r.assignee_id)},"assignmentEpoch":${json(r.assignment_epoch)}`
    + `,"leaseExpiresAt":${json(r.lease_expires_at)},"version":${json(r.version)},"createdAt":${json(r.created_at)}`
    + `,"enqueuedAt":${json(r.enqueued_at)},"slaDueAt":${json(r.sla_due_at)},"outcome":${stored(r.outcome, 'null')}`
    + `,"notes":${stored(r.notes, '[]')},"escalation":${stored(r.escalation, 'null')}}`;
}

export function queueFromRow(r: QueueRow, ownerName: string): Queue {
  return {
    id: r.id,
    name: r.name,
    workflow: r.workflow,
    stage: r.stage,
    exceptionClass: r.exception_class as Queue['exceptionClass'],
    ownerId: r.owner_id,
    ownerName,
    slaTargetMinutes: r.sla_target_minutes,
    idleThresholdSec: r.idle_threshold_sec,
    ...(r.defer_cooldown_minutes !== null ? { deferCooldownMinutes: r.defer_cooldown_minutes } : {}),
    reasonCodes: JSON.parse(r.reason_codes) as Queue['reasonCodes'],
  };
}

export const toJson = (v: unknown) => JSON.stringify(v);
