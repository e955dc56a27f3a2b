// The outbox (ordered, numbered mutations with their results) and the conflicts inbox.
// Rows are never deleted once they might have reached the server: only an unsent last mutation can be
// taken back (undo), which frees its id for the next one.
import { createHash } from 'node:crypto';
import { isConflictCode, Mutation, MutationResult, mutationHashInput } from '../../shared/central-api';
import type { Conflict, LocalDecision } from '../../shared/desk-api';
import { Item, Labor, type MutationKind } from '../../shared/domain';
import type { Db } from './cache-db';
import type { KvRepo } from './kv-repo';
import type { EffectMutation } from '../../shared/item-effects';
import { checkMutation, saneLabor } from './mutation-guard';

export type MutationState = 'pending' | 'sent' | 'settled' | 'conflict' | 'rejected';

export interface MutationRow {
  mutation_id: number;
  kind: MutationKind;
  item_id: string;
  base_version: number;
  assignment_epoch: number;
  at: string;
  at_ms: number;
  labor_json: string | null;
  rework: number;
  payload_json: string;
  payload_hash: string;
  state: MutationState;
  needs_rebase: number;
  user_id: string;
  result_status: string | null;
  result_code: string | null;
  result_message: string | null;
}

interface ConflictRow {
  id: number; mutation_id: number; item_id: string; kind: MutationKind; payload_json: string; labor_json: string | null;
  status: 'conflict' | 'rejected'; code: string; message: string | null; server_item_json: string | null; created_at: string;
}

export function payloadHash(m: Pick<Mutation, 'kind' | 'itemId' | 'baseVersion' | 'assignmentEpoch' | 'payload'>): string {
  return createHash('sha256').update(mutationHashInput(m)).digest('hex');
}

export interface NewMutation {
  kind: MutationKind;
  itemId: string;
  baseVersion: number;
  assignmentEpoch: number;
  at: string;
  labor: Labor | null;
  payload: Record<string, unknown>;
  userId: string;
  needsRebase: boolean;
}

export class OutboxRepo {
  private readonly s;

  constructor(db: Db, private readonly kv: KvRepo) {
    this.s = {
      maxId: db.prepare<[], { n: number | null }>('SELECT MAX(mutation_id) AS n FROM mutations'),
      insert: db.prepare(`INSERT INTO mutations (mutation_id, kind, item_id, base_version, assignment_epoch, at, at_ms, labor_json, rework, payload_json, payload_hash, state, needs_rebase, user_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`),
      get: db.prepare<[number], MutationRow>('SELECT * FROM mutations WHERE mutation_id = ?'),
      // Undo takes back the last decision whatever came after it: notes are not decisions (issue 14 item 5).
      last: db.prepare<[], MutationRow>(`SELECT * FROM mutations WHERE kind <> 'note' AND state NOT IN ('conflict','rejected') ORDER BY mutation_id DESC LIMIT 1`),
      unsettledFor: db.prepare<[string], MutationRow>(`SELECT * FROM mutations WHERE item_id = ? AND state IN ('pending','sent') ORDER BY mutation_id`),
      unsettledBefore: db.prepare<[string, number], { n: number }>(`SELECT COUNT(*) AS n FROM mutations WHERE item_id = ? AND mutation_id < ? AND state IN ('pending','sent')`),
      unsettledEpochChange: db.prepare<[string], { x: number }>(`SELECT 1 AS x FROM mutations WHERE item_id = ? AND state IN ('pending','sent') AND kind IN ('revert','escalate') LIMIT 1`),
      withHistory: db.prepare<[string, string], { item_id: string }>(`SELECT item_id FROM mutations WHERE item_id IN (SELECT value FROM json_each(?))
        UNION SELECT item_id FROM conflicts WHERE item_id IN (SELECT value FROM json_each(?))`),
      anyDecision: db.prepare<[string], { x: number }>('SELECT 1 AS x FROM mutations WHERE item_id = ? LIMIT 1'),
      forItem: db.prepare<[string], MutationRow>('SELECT * FROM mutations WHERE item_id = ? ORDER BY mutation_id'),
      lastOnItem: db.prepare<[string], MutationRow>(`SELECT * FROM mutations WHERE item_id = ? AND kind <> 'note' AND state NOT IN ('conflict','rejected') ORDER BY mutation_id DESC LIMIT 1`),
      unsettledBatch: db.prepare<[number], MutationRow>(`SELECT * FROM mutations WHERE state IN ('pending','sent') ORDER BY mutation_id LIMIT ?`),
      unsettledCount: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM mutations WHERE state IN ('pending','sent')`),
      markSent: db.prepare(`UPDATE mutations SET state = 'sent' WHERE mutation_id = ? AND state = 'pending'`),
      markUnsent: db.prepare(`UPDATE mutations SET state = 'pending' WHERE mutation_id = ? AND state = 'sent'`),
      rebase: db.prepare('UPDATE mutations SET base_version = ?, assignment_epoch = ?, payload_hash = ?, needs_rebase = 0 WHERE mutation_id = ?'),
      settle: db.prepare('UPDATE mutations SET state = ?, result_status = ?, result_code = ?, result_message = ?, settled_at = ? WHERE mutation_id = ?'),
      delete: db.prepare('DELETE FROM mutations WHERE mutation_id = ?'),
      resendFrom: db.prepare(`UPDATE mutations SET state = 'sent', result_status = NULL, result_code = NULL, result_message = NULL, settled_at = NULL WHERE mutation_id >= ? AND state NOT IN ('pending','sent')`),
      unsettledFrom: db.prepare<[number], MutationRow>(`SELECT * FROM mutations WHERE mutation_id >= ? AND state IN ('pending','sent') ORDER BY mutation_id`),
      renumber: db.prepare('UPDATE mutations SET mutation_id = ? WHERE mutation_id = ?'),
      renumberLabor: db.prepare('UPDATE labor_segments SET mutation_id = ? WHERE mutation_id = ?'),
      insertMalformed: db.prepare(`INSERT INTO conflicts (mutation_id, item_id, kind, payload_json, labor_json, status, code, message, server_item_json, created_at)
        VALUES (?, ?, ?, ?, ?, 'rejected', 'malformed', ?, NULL, ?)`),
      sinceDay: db.prepare<[number], MutationRow>(`SELECT * FROM mutations WHERE at_ms >= ? AND state NOT IN ('conflict','rejected')`),
      insertConflict: db.prepare(`INSERT OR IGNORE INTO conflicts (mutation_id, item_id, kind, payload_json, labor_json, status, code, message, server_item_json, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      openConflicts: db.prepare<[], ConflictRow>('SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY id'),
      openConflictCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM conflicts WHERE resolved_at IS NULL'),
      openConflictFor: db.prepare<[string], { x: number }>('SELECT 1 AS x FROM conflicts WHERE item_id = ? AND resolved_at IS NULL LIMIT 1'),
      conflict: db.prepare<[number], ConflictRow>('SELECT * FROM conflicts WHERE id = ? AND resolved_at IS NULL'),
      resolveConflict: db.prepare('UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?'),
      leaseExpiredOpen: db.prepare<[], { id: number; item_id: string; epoch: number }>(`SELECT c.id, c.item_id, COALESCE(m.assignment_epoch, -1) AS epoch
        FROM conflicts c LEFT JOIN mutations m ON m.mutation_id = c.mutation_id AND m.item_id = c.item_id
        WHERE c.resolved_at IS NULL AND c.code = 'lease_expired' ORDER BY c.id`),
    };
  }

  /** Next id: above every id this desk ever used and above what the server says it has settled. */
  nextId(): number {
    return Math.max((this.s.maxId.get()!.n ?? 0) + 1, this.kv.mutationFloor());
  }

  /** `id`: the caller's nextId() from this same transaction (labor is booked under it first). */
  /** Refuses (DeskFailure bad_input, nothing written) a mutation the server would refuse as malformed. */
  insert(m: NewMutation, id = this.nextId()): number {
    const hash = payloadHash({ kind: m.kind, itemId: m.itemId, baseVersion: m.baseVersion, assignmentEpoch: m.assignmentEpoch, payload: m.payload } as Mutation);
    const labor = m.labor ? saneLabor(m.labor) : null;
    checkMutation({
      mutationId: id, kind: m.kind, itemId: m.itemId, baseVersion: m.baseVersion, assignmentEpoch: m.assignmentEpoch, at: m.at,
      ...(labor ? { labor } : {}), payload: m.payload, payloadHash: hash,
    } as Mutation);
    this.s.insert.run(id, m.kind, m.itemId, m.baseVersion, m.assignmentEpoch, m.at, Date.parse(m.at), labor ? JSON.stringify(labor) : null,
      labor?.rework ? 1 : 0, JSON.stringify(m.payload), hash, m.needsRebase ? 1 : 0, m.userId);
    return id;
  }

  get(id: number): MutationRow | null {
    return this.s.get.get(id) ?? null;
  }
  /** The reviewer's last decision that still stands (for undo). */
  last(): MutationRow | null {
    return this.s.last.get() ?? null;
  }
  lastOnItem(itemId: string): MutationRow | null {
    return this.s.lastOnItem.get(itemId) ?? null;
  }
  delete(id: number): void {
    this.s.delete.run(id);
  }

  unsettledFor(itemId: string): EffectMutation[] {
    return this.s.unsettledFor.all(itemId).map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload_json), at: r.at }));
  }
  hasUnsettledFor(itemId: string): boolean {
    return this.s.unsettledFor.all(itemId).length > 0;
  }
  /** A revert or escalation of the item is unsettled: the server will give it a new epoch we do not know yet. */
  hasUnsettledEpochChange(itemId: string): boolean {
    return !!this.s.unsettledEpochChange.get(itemId);
  }
  hasUnsettledBefore(itemId: string, mutationId: number): boolean {
    return this.s.unsettledBefore.get(itemId, mutationId)!.n > 0;
  }
  /** Which of these items this desk has decided or has conflicts on (one query for a whole pull page). */
  itemsWithHistory(itemIds: string[]): Set<string> {
    const ids = JSON.stringify(itemIds);
    return new Set(this.s.withHistory.all(ids, ids).map((r) => r.item_id));
  }
  hasAnyDecision(itemId: string): boolean {
    return !!this.s.anyDecision.get(itemId);
  }
  hasOpenConflict(itemId: string): boolean {
    return !!this.s.openConflictFor.get(itemId);
  }
  unsettledCount(): number {
    return this.s.unsettledCount.get()!.n;
  }
  unsettledBatch(limit: number): MutationRow[] {
    return this.s.unsettledBatch.all(limit);
  }
  /** Marks a pending row sent (just before its push); true when it was pending. */
  markSent(id: number): boolean {
    return this.s.markSent.run(id).changes > 0;
  }
  /** The push of these rows never reached the server (no connection): they are pending again. */
  markUnsent(ids: readonly number[]): void {
    for (const id of ids) this.s.markUnsent.run(id);
  }
  rebase(row: MutationRow, server: Item): MutationRow {
    const payload = JSON.parse(row.payload_json);
    const hash = payloadHash({ kind: row.kind, itemId: row.item_id, baseVersion: server.version, assignmentEpoch: server.assignmentEpoch, payload } as Mutation);
    this.s.rebase.run(server.version, server.assignmentEpoch, hash, row.mutation_id);
    return { ...row, base_version: server.version, assignment_epoch: server.assignmentEpoch, payload_hash: hash, needs_rebase: 0 };
  }

  /** Record a result. Returns false when the mutation is unknown or already settled (results are idempotent). */
  settle(r: MutationResult, at: string, from: 'push' | 'pull'): { row: MutationRow; state: MutationState } | null {
    const row = this.get(r.mutationId);
    if (!row || (row.state !== 'pending' && row.state !== 'sent')) return null;
    // Pull results carry no payload hash: for a mutation this cache never sent (a cache restored from a
    // backup reuses ids), only the push answer, which the server checks against the hash, can tell.
    if (from === 'pull' && row.state === 'pending') return null;
    // A stored result for another item means the server holds a different mutation under this id.
    const diverged = r.itemId !== row.item_id;
    const status = diverged ? 'rejected' : r.status;
    const code = diverged ? 'client_diverged' : r.code;
    const state = stateOf(status, code);
    this.s.settle.run(state, state === 'settled' ? 'applied' : state, code, r.message ?? null, at, row.mutation_id);
    if (state === 'conflict' || state === 'rejected') {
      this.s.insertConflict.run(row.mutation_id, row.item_id, row.kind, row.payload_json, row.labor_json, state, code,
        r.message ?? (diverged ? 'the server holds a different mutation under this id' : null),
        !diverged && r.item ? JSON.stringify(r.item) : null, at);
    }
    return { row, state };
  }

  /**
   * 409 gap: the server expects `expected` (it lost what this desk thought settled, e.g. a restored
   * server). Everything from there is sent again; if that leaves a hole, later ids move down to fill it.
   */
  resendFrom(expected: number): void {
    this.s.resendFrom.run(expected);
    let next = expected;
    for (const r of this.s.unsettledFrom.all(expected)) {
      if (r.mutation_id !== next) this.moveId(r.mutation_id, next);
      next++;
    }
  }

  /**
   * The server refused a batch holding only this mutation as malformed (400/413): it never applied, and the
   * server still expects this id. Set it aside in the inbox (`rejected`, code `malformed`) and move every
   * later unsettled mutation down one id (the server has seen none of them: the batch stopped here), so the
   * rest flows. Its labor stays booked to it (on a negative id: the inbox holds it for a resubmit).
   */
  isolateMalformed(mutationId: number, message: string, at: string): MutationRow | null {
    const row = this.get(mutationId);
    if (!row || (row.state !== 'pending' && row.state !== 'sent')) return null;
    this.s.insertMalformed.run(row.mutation_id, row.item_id, row.kind, row.payload_json, row.labor_json, message, at);
    this.s.delete.run(mutationId);
    this.s.renumberLabor.run(-mutationId, mutationId);
    let next = mutationId;
    for (const r of this.s.unsettledFrom.all(mutationId + 1)) {
      this.moveId(r.mutation_id, next);
      next++;
    }
    return row;
  }

  /** A mutation takes another id (never one the server has seen): its booked labor follows it. */
  private moveId(from: number, to: number): void {
    this.s.renumber.run(to, from);
    this.s.renumberLabor.run(to, from);
  }

  decisionsFor(itemId: string): LocalDecision[] {
    return this.s.forItem.all(itemId).map((r) => ({
      mutationId: r.mutation_id,
      kind: r.kind,
      payload: JSON.parse(r.payload_json),
      at: r.at,
      labor: r.labor_json ? Labor.parse(JSON.parse(r.labor_json)) : null,
      state: r.state,
      resultCode: (r.result_code as LocalDecision['resultCode']) ?? null,
    }));
  }

  since(dayStartMs: number): MutationRow[] {
    return this.s.sinceDay.all(dayStartMs);
  }

  // ---------- conflicts inbox ----------
  openConflicts(): Conflict[] {
    return this.s.openConflicts.all().map(toConflict);
  }
  openConflictCount(): number {
    return this.s.openConflictCount.get()!.n;
  }
  conflict(id: number): (Conflict & { laborJson: string | null }) | null {
    const r = this.s.conflict.get(id);
    return r ? { ...toConflict(r), laborJson: r.labor_json } : null;
  }
  /** Open conflicts that only say a lease of mine ended, with the epoch the decision was made under. */
  openLeaseEndedConflicts(): { id: number; itemId: string; epoch: number }[] {
    return this.s.leaseExpiredOpen.all().map((r) => ({ id: r.id, itemId: r.item_id, epoch: r.epoch }));
  }
  resolveConflict(id: number, at: string, resolution: 'discard' | 'resubmit'): void {
    this.s.resolveConflict.run(at, resolution, id);
  }
}

/** A `duplicate` repeats the stored result: its code says whether that was applied, a conflict or a rejection. */
function stateOf(status: MutationResult['status'], code: MutationResult['code']): MutationState {
  if (status === 'applied') return 'settled';
  if (status === 'conflict' || status === 'rejected') return status;
  if (code === 'ok') return 'settled';
  return isConflictCode(code) ? 'conflict' : 'rejected';
}

function toConflict(r: ConflictRow): Conflict {
  const server = r.server_item_json ? Item.safeParse(JSON.parse(r.server_item_json)) : null;
  return {
    id: r.id, mutationId: r.mutation_id, itemId: r.item_id, kind: r.kind, payload: JSON.parse(r.payload_json),
    status: r.status, code: r.code as Conflict['code'], message: r.message,
    serverItem: server?.success ? server.data : null, createdAt: r.created_at,
  };
}
