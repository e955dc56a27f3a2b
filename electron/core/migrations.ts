// Cache schema, versioned with PRAGMA user_version. Append new steps; never edit a shipped one.
// Times used for sorting are epoch milliseconds (ISO strings with offsets do not sort as text).
export const MIGRATIONS: string[] = [
  `
  -- Narrow rows for pages and triage order; the full JSON lives in item_bodies so scans stay fast.
  CREATE TABLE items (
    id TEXT PRIMARY KEY,
    queue_id TEXT NOT NULL,
    class TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT,
    sla_due_ms INTEGER NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    sla_due_at TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    confidence REAL,
    title TEXT NOT NULL,
    title_lc TEXT NOT NULL,
    -- none | pending | synced | conflict (desk-api LocalState)
    local_state TEXT NOT NULL DEFAULT 'none',
    -- 1 when status is leased or escalated: with assignee_id, the triage set (one index range, in order)
    in_triage INTEGER NOT NULL,
    server_version INTEGER NOT NULL
  );
  CREATE TABLE item_bodies (
    id TEXT PRIMARY KEY,
    -- what the desk shows: the server copy with this desk's unsettled decisions applied
    json TEXT NOT NULL,
    -- the server's copy, never overwritten by local decisions
    server_json TEXT NOT NULL
  );
  -- Few indexes on purpose: each one costs every pull page (random keys), and low-selectivity filters
  -- (class, queue, status) are served well by walking the sort index and filtering.
  CREATE INDEX items_sla ON items (sla_due_ms, id);
  CREATE INDEX items_enqueued ON items (enqueued_ms, id);
  CREATE INDEX items_confidence ON items (confidence, id);
  CREATE INDEX items_local_state ON items (local_state, sla_due_ms, id);
  CREATE INDEX items_triage ON items (assignee_id, in_triage, sla_due_ms, id);

  CREATE TABLE queues (id TEXT PRIMARY KEY, json TEXT NOT NULL);

  -- The outbox and its results: ordered, numbered mutations (DESIGN §5, §7). Settled rows stay as history.
  CREATE TABLE mutations (
    mutation_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    assignment_epoch INTEGER NOT NULL,
    at TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    labor_json TEXT,
    rework INTEGER NOT NULL DEFAULT 0,
    payload_json TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    -- pending (never sent) | sent (a hint only) | settled | conflict | rejected
    state TEXT NOT NULL,
    -- created while an earlier mutation of the same item was unsettled: take base version and epoch
    -- from the server's answer to that one, just before the first send
    needs_rebase INTEGER NOT NULL DEFAULT 0,
    user_id TEXT NOT NULL,
    result_status TEXT,
    result_code TEXT,
    result_message TEXT,
    settled_at TEXT
  );
  CREATE INDEX mutations_state ON mutations (state, mutation_id);
  CREATE INDEX mutations_item ON mutations (item_id, mutation_id);
  CREATE INDEX mutations_at ON mutations (at_ms);

  CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    labor_json TEXT,
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT,
    server_item_json TEXT,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT
  );
  CREATE UNIQUE INDEX conflicts_mutation ON conflicts (mutation_id);
  CREATE INDEX conflicts_open ON conflicts (resolved_at, item_id);

  -- Labor segments (DESIGN §6). open = 1 while running: active_ms is then the last checkpoint.
  CREATE TABLE labor_segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    active_ms INTEGER NOT NULL,
    open INTEGER NOT NULL,
    mutation_id INTEGER
  );
  CREATE INDEX labor_segments_item ON labor_segments (item_id, mutation_id);
  CREATE TABLE labor_visits (item_id TEXT PRIMARY KEY, opened_at TEXT NOT NULL);

  -- Sync state, session, client id, mutation numbering floor, settings.
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: briefly (one day's builds) created a trigram FTS5 index `items_text` kept in step by triggers on
  // items; it nearly doubled the time to apply pull pages (FTS5 flushes at every statement savepoint) and
  // was dropped. Caches that never ran it skip it; caches that did lose it in step 3. Same end state.
  `SELECT 1;`,
  `
  DROP TRIGGER IF EXISTS items_text_insert;
  DROP TRIGGER IF EXISTS items_text_delete;
  DROP TRIGGER IF EXISTS items_text_update;
  DROP TABLE IF EXISTS items_text;
  `,
  `
  -- The last answer of each operations view (DESIGN §8), so a supervisor offline still reads the last
  -- figures, marked with the time they were computed. One row per (user, server, method, input); small.
  CREATE TABLE ops_answers (
    key TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    server_url TEXT NOT NULL,
    method TEXT NOT NULL,
    json TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    fetched_ms INTEGER NOT NULL
  );
  CREATE INDEX ops_answers_fetched ON ops_answers (fetched_ms);
  `,
  // 5: a mutation the server refused as malformed (a whole batch answered 400) leaves the numbering and waits
  // in the inbox under the id it had (code 'malformed'); later mutations move down into its id, so only
  // server results stay unique per mutation id.
  `
  DROP INDEX conflicts_mutation;
  CREATE UNIQUE INDEX conflicts_mutation ON conflicts (mutation_id) WHERE code <> 'malformed';
  `,
  // 6: each item's lease expiry (epoch ms) as its own column, so "which of my leases end soon" (renew while
  // online, warn while offline) is one index range. Existing rows take it from the JSON they already hold.
  `
  ALTER TABLE items ADD COLUMN lease_expires_ms INTEGER;
  UPDATE items SET lease_expires_ms = (
    SELECT CAST(ROUND((julianday(json_extract(b.json, '$.leaseExpiresAt')) - 2440587.5) * 86400000) AS INTEGER)
    FROM item_bodies b WHERE b.id = items.id);
  CREATE INDEX items_lease ON items (assignee_id, in_triage, lease_expires_ms);
  `,
  // 7: stored ops answers belong to a server by its stable identity (the serverId of GET /v1/me), not its URL:
  // the demo server gets a new port each start and a server may move. Rows keyed by URL cannot be told
  // apart from another server's, so they are dropped (the next live read stores them again).
  `
  DELETE FROM ops_answers;
  ALTER TABLE ops_answers RENAME COLUMN server_url TO server_key;
  `,
  // 8: a running count of each assignee's triage set (in_triage = 1), kept by ItemsRepo in the transaction
  // of every write to items, so sync status and progress never re-count the whole set (issue 15 gap 1:
  // that re-count per pull page made the initial sync quadratic). Triggers were measured and dropped: on the
  // upserting items table they doubled the cost of applying a pull page. Rebuilt from the rows here, and
  // by ItemsRepo.rebuildTriageCounts().
  `
  CREATE TABLE triage_counts (assignee_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO triage_counts (assignee_id, n)
    SELECT assignee_id, COUNT(*) FROM items WHERE in_triage = 1 AND assignee_id IS NOT NULL GROUP BY assignee_id;
  `,
  // 9: a trigram index of item titles for the queue's text filter (issue 15 gap 3), so a rare term reads the
  // rows that contain its trigrams instead of every title. It covers the items rows up to
  // title_index.through_rowid; rows after that (a snapshot just pulled) are read directly until
  // QueuePageQuery.indexTitles, run between keypresses off the pull path, catches up. ItemsRepo keeps the
  // covered rows' entries exact in the writer's transaction (a retitle, a delete, a reused rowid). Unlike
  // the trigger-kept table of step 2 (dropped by step 3), no pull page writes to it on its way in.
  `
  CREATE VIRTUAL TABLE items_title_trigrams USING fts5(title_lc, content='', contentless_delete=1, tokenize='trigram', detail=none);
  CREATE TABLE title_index (id INTEGER PRIMARY KEY CHECK (id = 1), through_rowid INTEGER NOT NULL);
  INSERT INTO title_index (id, through_rowid) VALUES (1, 0);
  `,
  // 10: the reviewer's open work of one class in SLA order (issue 15 gap 3): the queue view's class filter.
  // Through items_triage a class whose items all sort late (a queue with a long SLA target) was found only
  // after walking every other class's open items first (~80k rows at 100k). Not partial (WHERE in_triage = 1):
  // without statistics SQLite then preferred items_triage for the page's (non-covering) read. Set aside and
  // rebuilt around a snapshot like the other items indexes (deferred-indexes.ts).
  `
  CREATE INDEX items_triage_class ON items (assignee_id, in_triage, class, sla_due_ms, id);
  `,
];
