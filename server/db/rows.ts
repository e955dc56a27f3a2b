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

/** `stored` in SQL: a stored JSON column's text, or `fallback` where itemFromRow would read null. */
const storedSql = (column: string, fallback: string) =>
  `CASE WHEN ${column} IS NULL OR ${column} = 'null' OR (length(${column}) > 4 AND length(${column}) < 64`
  + ` AND trim(${column}, ' ' || char(9, 10, 13)) = 'null') THEN '${fallback}' ELSE ${column} END`;

/**
 * itemJsonFromRow as a SQLite expression over the items row aliased `alias`: the database writes an item's JSON
 * while it reads the row, so a pull page gets one string per item instead of 26 column values turned into JS
 * strings and concatenated again (issue 15 gap 1). The same keys in the same order; json_quote writes the values
 * (its reals round-trip to the same double, SQLite 3.43+), the stored JSON columns are spliced in as they are.
 * Not the same text in every case (`1.0e-07` for `1e-7`, a zero as `0.0`) but the same JSON value: see
 * test/server/pull-page-json.test.ts. SQLite only; PostgreSQL pages use itemJsonFromRow.
 */
export function itemJsonSql(alias: string): string {
  const c = (name: string) => `${alias}.${name}`;
  const v = (key: string, column: string) => `',"${key}":', json_quote(${c(column)})`;
  const kept = (key: string, column: string, fallback: string) => `',"${key}":', ${storedSql(c(column), fallback)}`;
  // concat() writes its result once; a chain of || copied the growing text at every step (~50 a row).
  return `concat('{"id":', json_quote(${c('id')}), ${[
    v('source', 'source'), v('externalId', 'external_id'), v('queueId', 'queue_id'),
    v('workflow', 'workflow'), v('stage', 'stage'), v('exceptionClass', 'exception_class'), v('title', 'title'),
    `CASE WHEN ${c('summary')} IS NULL THEN '' ELSE concat(',"summary":', json_quote(${c('summary')})) END`,
    v('confidence', 'confidence'), kept('reasons', 'reasons', '[]'), kept('input', 'input', '{}'), kept('output', 'output', '{}'),
    v('status', 'status'), v('assigneeId', 'assignee_id'), v('assignmentEpoch', 'assignment_epoch'), v('leaseExpiresAt', 'lease_expires_at'),
    v('version', 'version'), v('createdAt', 'created_at'), v('enqueuedAt', 'enqueued_at'), v('slaDueAt', 'sla_due_at'),
    kept('outcome', 'outcome', 'null'), kept('notes', 'notes', '[]'), kept('escalation', 'escalation', 'null'),
  ].join(', ')}, '}')`;
}

/** itemRowBytes (pull.ts) as a SQLite expression: 1024 plus the UTF-8 bytes of the row's texts. */
export const itemRowBytesSql = (alias: string) =>
  `1024 + ${['title', 'summary', 'reasons', 'input', 'output', 'notes', 'outcome', 'escalation'].map((col) => `coalesce(octet_length(${alias}.${col}), 0)`).join(' + ')}`;

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
