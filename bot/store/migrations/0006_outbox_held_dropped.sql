-- 6: the outbox gains the generic states `held` (with a reason and until when) and `dropped`
-- (with a reason), shared by volume control (digests, caps, quiet hours) and author identity
-- (a paper held until an index verifies its author). A held row is never claimed for
-- delivery: releasing it makes it `pending`; a dropped row will never be sent.

-- The outbox, rebuilt for its wider state CHECK (SQLite cannot alter one). New columns:
-- sub_ids: the matching subscriptions' ids, space separated, in the order of `reasons`;
-- hold_reason / held_until / held_at: why a held row waits, until when (epoch seconds; NULL:
--   until released), since when (kept after release: the last hold);
-- drop_reason / dropped_at: why a row will never be sent;
-- admitted_at: when an alert was let through as an instant alert (caps count these).
-- The foreign keys are checked at commit: the copy keeps every id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE outbox_v6 (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',
    sub_ids TEXT NOT NULL DEFAULT '',
    parent_id INTEGER REFERENCES outbox(id),
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'held', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until REAL,
    platform_ref TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    claimed_at REAL,
    check_from REAL,
    hold_reason TEXT,
    held_until REAL,
    held_at REAL,
    drop_reason TEXT,
    dropped_at REAL,
    admitted_at REAL,
    UNIQUE (paper_id, channel_id, kind, version)
);
INSERT INTO outbox_v6 (id, paper_id, channel_id, kind, version, reasons, parent_id, state,
    attempts, not_before, claimed_by, claimed_until, platform_ref, last_error, created_at,
    sent_at, claimed_at, check_from)
SELECT id, paper_id, channel_id, kind, version, reasons, parent_id, state, attempts,
    not_before, claimed_by, claimed_until, platform_ref, last_error, created_at, sent_at,
    claimed_at, check_from
FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_v6 RENAME TO outbox;
CREATE UNIQUE INDEX outbox_one_alert ON outbox(paper_id, channel_id) WHERE kind = 'alert';
CREATE INDEX outbox_due ON outbox(state, not_before);
CREATE INDEX outbox_held ON outbox(channel_id, hold_reason) WHERE state = 'held';
CREATE INDEX outbox_held_due ON outbox(held_until) WHERE state = 'held';
CREATE INDEX outbox_parent ON outbox(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX outbox_admitted ON outbox(channel_id, admitted_at) WHERE admitted_at IS NOT NULL;
