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
  `
  -- Text filter (DESIGN §10): a trigram index over the lower-cased title. A quoted phrase of trigrams is
  -- exactly a substring match, so a term of 3+ characters is found without reading every row. Contentless
  -- (the title is in items); triggers keep it in the same statement, so in the same transaction, as items.
  CREATE VIRTUAL TABLE items_text USING fts5(title_lc, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
  INSERT INTO items_text (rowid, title_lc) SELECT rowid, title_lc FROM items;
  CREATE TRIGGER items_text_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_text (rowid, title_lc) VALUES (new.rowid, new.title_lc);
  END;
  CREATE TRIGGER items_text_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_text WHERE rowid = old.rowid;
  END;
  CREATE TRIGGER items_text_update AFTER UPDATE OF title_lc ON items WHEN old.title_lc IS NOT new.title_lc BEGIN
    DELETE FROM items_text WHERE rowid = old.rowid;
    INSERT INTO items_text (rowid, title_lc) VALUES (new.rowid, new.title_lc);
  END;
  `,
];
