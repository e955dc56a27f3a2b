// The labor clock with an injected monotonic clock and the real SQLite store (DESIGN §6).
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { LaborClock } from '../../electron/core/labor-clock';
import { sqliteLaborStore } from '../../electron/core/labor-store';
import { FakeClock, tmpDir } from './core-fixture';

const IDLE_MS = 60_000;
const tmp = tmpDir('labor');
const dbs: Db[] = [];
let n = 0;

function rig(opts: { capMs?: number; idleMs?: number; checkpointMs?: number; file?: string } = {}) {
  const clock = new FakeClock();
  const file = opts.file ?? tmp.file(`labor-${++n}.sqlite`);
  const db = openCacheDb(file);
  dbs.push(db);
  const labor = new LaborClock({
    clock, store: sqliteLaborStore(db), idleThresholdMs: () => opts.idleMs ?? IDLE_MS, capMs: opts.capMs, checkpointMs: opts.checkpointMs ?? 2_000,
  });
  let mutationId = 0;
  const decide = (itemId: string, rework = false) => labor.takeForDecision(itemId, ++mutationId, clock.now(), rework);
  return { clock, db, labor, decide, file };
}

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

describe('labor clock', () => {
  it('idleness ends the segment at the last input, not when it is noticed', () => {
    const { clock, labor, decide } = rig();
    labor.open('A');
    clock.advance(10_000);
    labor.signal('input');
    clock.advance(5 * 60_000); // idle for five minutes
    labor.tick();
    expect(labor.running).toBe(false);
    labor.signal('input'); // back at the keyboard: a new segment
    clock.advance(4_000);
    const l = decide('A');
    expect(l.activeMs).toBe(14_000);
    expect(l.segments).toBe(2);
    expect(l.wallMs).toBe(10_000 + 5 * 60_000 + 4_000);
    expect(l.idleMs).toBe(l.wallMs - 14_000);
  });

  it('input inside the threshold keeps one segment running', () => {
    const { clock, labor, decide } = rig();
    labor.open('A');
    for (let i = 0; i < 10; i++) {
      clock.advance(50_000);
      labor.signal('input');
      labor.tick();
    }
    clock.advance(1_000);
    expect(decide('A')).toMatchObject({ activeMs: 501_000, segments: 1 });
  });

  it.each([
    ['blur', 'focus'],
    ['lock', 'unlock'],
    ['suspend', 'resume'],
    ['hidden', 'visible'],
  ] as const)('%s pauses the segment until %s', (pause, resume) => {
    const { clock, labor, decide } = rig();
    labor.open('A');
    clock.advance(5_000);
    labor.signal(pause);
    expect(labor.running).toBe(false);
    clock.advance(30_000);
    labor.signal('input'); // input while paused does not count
    clock.advance(10_000);
    labor.signal(resume); // recent input: resumes at once
    expect(labor.running).toBe(true);
    clock.advance(7_000);
    expect(decide('A')).toMatchObject({ activeMs: 12_000, segments: 2 });
  });

  it('switching items splits the segment between them', () => {
    const { clock, labor, decide } = rig();
    labor.open('A');
    clock.advance(7_000);
    labor.open('B');
    clock.advance(3_000);
    labor.open('A');
    clock.advance(2_000);
    expect(decide('A')).toMatchObject({ activeMs: 9_000, segments: 2 });
    // Still on A after the decision: note-taking time counts towards A's next decision, not B.
    clock.advance(1_500);
    expect(decide('A')).toMatchObject({ activeMs: 1_500, segments: 1 });
    expect(decide('B')).toMatchObject({ activeMs: 3_000, segments: 1 });
  });

  it('a segment never exceeds the cap, and only fresh input starts the next one', () => {
    const { clock, labor, decide } = rig({ capMs: 30 * 60_000, idleMs: 3_600_000 });
    labor.open('A');
    clock.advance(20 * 60_000);
    labor.signal('input');
    clock.advance(25 * 60_000); // 45 min into the segment, inside the idle threshold
    labor.tick();
    expect(labor.running).toBe(false);
    labor.signal('focus');
    expect(labor.running).toBe(false);
    labor.signal('input');
    clock.advance(60_000);
    expect(decide('A')).toMatchObject({ activeMs: 31 * 60_000, segments: 2 });
  });

  it('a crash mid-segment loses at most one checkpoint interval', () => {
    const { clock, labor, db, file } = rig({ checkpointMs: 2_000 });
    labor.open('A');
    for (let t = 0; t < 9; t++) {
      clock.advance(1_000);
      labor.signal('input');
      if (t % 2 === 1) labor.tick(); // the core's checkpoint timer: every 2 s
    }
    // 9 s of work, last checkpoint at 8 s; the process dies without closing anything.
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT active_ms, open FROM labor_segments').get()).toEqual({ active_ms: 8_000, open: 1 });
    raw.close();
    db.close();

    const after = rig({ file });
    after.labor.open('A');
    after.clock.advance(3_000);
    const l = after.decide('A');
    expect(l.segments).toBe(2);
    expect(9_000 + 3_000 - l.activeMs).toBeLessThanOrEqual(2_000);
    expect(l.activeMs).toBe(11_000);
  });

  it('no labor without a focused item, and a decision hands over only its own item', () => {
    const { clock, labor, decide } = rig();
    labor.signal('input');
    clock.advance(10_000);
    expect(labor.running).toBe(false);
    labor.open('A');
    clock.advance(2_000);
    labor.unfocus();
    clock.advance(10_000);
    expect(decide('A')).toMatchObject({ activeMs: 2_000 });
    expect(decide('B')).toMatchObject({ activeMs: 0, segments: 0 });
  });
});

afterAll(() => tmp.cleanup());

