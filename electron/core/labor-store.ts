// SQLite side of the labor clock: segments and visits in the cache database.
import type { Db } from './cache-db';
import type { LaborStore } from './labor-clock';

export function sqliteLaborStore(db: Db): LaborStore {
  const s = {
    start: db.prepare('INSERT INTO labor_segments (item_id, started_at, active_ms, open) VALUES (?, ?, 0, 1)'),
    checkpoint: db.prepare('UPDATE labor_segments SET active_ms = ? WHERE id = ? AND open = 1'),
    close: db.prepare('UPDATE labor_segments SET active_ms = ?, open = 0 WHERE id = ?'),
    drop: db.prepare('DELETE FROM labor_segments WHERE id = ?'),
    segItem: db.prepare<[number], { item_id: string }>('SELECT item_id FROM labor_segments WHERE id = ?'),
    anyUnconsumed: db.prepare<[string], { x: number }>('SELECT 1 AS x FROM labor_segments WHERE item_id = ? AND mutation_id IS NULL LIMIT 1'),
    visit: db.prepare('INSERT OR IGNORE INTO labor_visits (item_id, opened_at) VALUES (?, ?)'),
    visitGet: db.prepare<[string], { opened_at: string }>('SELECT opened_at FROM labor_visits WHERE item_id = ?'),
    visitDelete: db.prepare('DELETE FROM labor_visits WHERE item_id = ?'),
    visitSet: db.prepare('INSERT OR REPLACE INTO labor_visits (item_id, opened_at) VALUES (?, ?)'),
    sumOpen: db.prepare<[string], { ms: number | null; n: number }>('SELECT SUM(active_ms) AS ms, COUNT(*) AS n FROM labor_segments WHERE item_id = ? AND mutation_id IS NULL AND open = 0'),
    consume: db.prepare('UPDATE labor_segments SET mutation_id = ? WHERE item_id = ? AND mutation_id IS NULL AND open = 0'),
    release: db.prepare('UPDATE labor_segments SET mutation_id = NULL WHERE mutation_id = ?'),
    unconsumed: db.prepare<[string, number], { ms: number | null }>('SELECT SUM(active_ms) AS ms FROM labor_segments WHERE item_id = ? AND mutation_id IS NULL AND id <> ?'),
    abandon: db.prepare('UPDATE labor_segments SET open = 0 WHERE open = 1'),
  };
  return {
    startSegment: (itemId, startedAt) => Number(s.start.run(itemId, startedAt).lastInsertRowid),
    checkpoint: (id, ms) => { s.checkpoint.run(ms, id); },
    closeSegment(id, ms) {
      if (ms > 0) { s.close.run(ms, id); return; }
      // An empty segment (opened and left at the same instant) is no work and no visit either.
      const itemId = s.segItem.get(id)?.item_id;
      s.drop.run(id);
      if (itemId && !s.anyUnconsumed.get(itemId)) s.visitDelete.run(itemId);
    },
    recordVisit: (itemId, openedAt) => { s.visit.run(itemId, openedAt); },
    consume(itemId, mutationId) {
      const sum = s.sumOpen.get(itemId)!;
      s.consume.run(mutationId, itemId);
      const openedAt = s.visitGet.get(itemId)?.opened_at ?? null;
      s.visitDelete.run(itemId);
      return { activeMs: sum.ms ?? 0, segments: sum.n, openedAt };
    },
    release(mutationId, itemId, openedAt) {
      s.release.run(mutationId);
      const current = s.visitGet.get(itemId)?.opened_at;
      if (!current || current > openedAt) s.visitSet.run(itemId, openedAt);
    },
    unconsumedMs: (itemId, openId) => s.unconsumed.get(itemId, openId ?? -1)!.ms ?? 0,
    closeAbandoned: () => s.abandon.run().changes,
  };
}
