-- 1: papers, full-text index, channels, subscriptions, outbox, source state, rate slots.
CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    arxiv_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,            -- display names joined by U+001F
    authors_raw TEXT,
    abstract TEXT NOT NULL,
    primary_category TEXT NOT NULL,
    categories TEXT NOT NULL,         -- space separated, primary first
    published TEXT,
    updated TEXT,
    announced TEXT,                   -- NULL: never announced by a listing we saw
    doi TEXT,
    comment TEXT,
    journal_ref TEXT,
    versions TEXT NOT NULL,           -- JSON [[number, iso date or null], ...]
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX papers_doi ON papers(doi COLLATE NOCASE) WHERE doi IS NOT NULL;
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract, authors,
    content='papers', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, title, abstract, authors)
    VALUES (new.id, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.id, old.title, old.abstract, old.authors);
    INSERT INTO papers_fts(rowid, title, abstract, authors)
    VALUES (new.id, new.title, new.abstract, new.authors);
END;

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    alias TEXT UNIQUE,                -- the config name of a chat channel
    platform TEXT NOT NULL,
    external_id TEXT,                 -- platform channel id (never a secret)
    paused_reason TEXT,
    paused_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('author', 'topic', 'category')),
    value TEXT NOT NULL,
    norm TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (channel_id, kind, norm)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',  -- why it matched, one label per line
    parent_id INTEGER REFERENCES outbox(id),
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until REAL,
    platform_ref TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (paper_id, channel_id, kind, version)
);
CREATE UNIQUE INDEX outbox_one_alert ON outbox(paper_id, channel_id) WHERE kind = 'alert';
CREATE INDEX outbox_due ON outbox(state, not_before);

CREATE TABLE source_state (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_success TEXT,
    last_attempt TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_pub_date TEXT,
    last_items INTEGER,
    disabled_reason TEXT,
    next_poll_at REAL
);

CREATE TABLE rate_slots (
    key TEXT PRIMARY KEY,
    next_at REAL NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
