-- 7: the daily ledger. One row per polled category and announcement (mailing) day: what the
-- listing announced (new, cross, replaced items; all zero for an empty listing: a weekend or
-- an arXiv holiday) and, in ledger_alerts, every alert it queued (each alert credited to the
-- listing whose ingest queued it, in the same transaction). recorded_at: when a listing of that
-- day was first stored (epoch seconds, the ingest's clock); updated_at: the latest.
CREATE TABLE ledger (
    category TEXT NOT NULL,
    day TEXT NOT NULL,
    new_items INTEGER NOT NULL DEFAULT 0,
    cross_items INTEGER NOT NULL DEFAULT 0,
    replaced_items INTEGER NOT NULL DEFAULT 0,
    recorded_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (category, day)
);
CREATE INDEX ledger_recorded ON ledger(recorded_at);
-- outbox_id: the alert (outbox ids are never reused); channel_id copied from it, so a channel's
-- share of a day needs no join.
CREATE TABLE ledger_alerts (
    outbox_id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    day TEXT NOT NULL,
    channel_id INTEGER NOT NULL
);
CREATE INDEX ledger_alerts_day ON ledger_alerts(category, day);
CREATE INDEX ledger_alerts_channel ON ledger_alerts(channel_id, day);
