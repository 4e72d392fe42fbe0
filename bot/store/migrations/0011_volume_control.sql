-- 11: volume control. Per-channel delivery settings (the outbox states `held` and `dropped`
-- are migration 6's); digests and overflow messages are recorded with the papers each of
-- their parts carries.

-- Channel settings (bot.model.volume.VolumeSettings): mode instant|daily|weekly, the digest's
-- local time and weekday (0 = Monday), the IANA zone every local time is read in, the daily
-- cap on instant alerts (NULL: none), quiet hours (local HH:MM, NULL: none) and the ledger
-- flag (stored here; the ledger itself is another change's).
ALTER TABLE channels ADD COLUMN mode TEXT NOT NULL DEFAULT 'instant';
ALTER TABLE channels ADD COLUMN digest_at TEXT;
ALTER TABLE channels ADD COLUMN digest_day INTEGER;
ALTER TABLE channels ADD COLUMN tz TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE channels ADD COLUMN cap INTEGER;
ALTER TABLE channels ADD COLUMN quiet_from TEXT;
ALTER TABLE channels ADD COLUMN quiet_to TEXT;
ALTER TABLE channels ADD COLUMN ledger INTEGER NOT NULL DEFAULT 0;
-- When the channel's last scheduled digest was assembled (epoch seconds): with the ledger on,
-- a digest slot that passes with nothing held still posts the ledger's line, once.
ALTER TABLE channels ADD COLUMN last_digest_at REAL;

-- A digest or an overflow message: papers posted together, in one or more parts.
-- local_date: the channel's local day it is for; due_at: when it was due (epoch seconds);
-- title: its heading as posted; anchor_id: the alert an overflow message threads under;
-- note: an extra line under the heading of its first part (the ledger's line; '' for none).
CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('digest', 'overflow')),
    title TEXT NOT NULL,
    local_date TEXT NOT NULL,
    tz TEXT NOT NULL,
    due_at REAL NOT NULL,
    created_at REAL NOT NULL,
    papers INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    anchor_id INTEGER REFERENCES outbox(id),
    note TEXT NOT NULL DEFAULT ''
);

-- Which paper goes in which part, stored before the first part is sent. One row per carried
-- alert (alert_id is UNIQUE: a paper reaches a channel in one message at most).
-- part_id: the outbox row of the part; part: its number (1 = the first); position: the
-- paper's place in the whole digest (0 = first); full: a full entry (else a title line);
-- group_sub / group_label: the subscription it is listed under (the lowest id that matched);
-- also: the other matching subscriptions' ids, space separated.
CREATE TABLE digest_entries (
    alert_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
    part_id INTEGER NOT NULL REFERENCES outbox(id),
    part INTEGER NOT NULL,
    position INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    full INTEGER NOT NULL,
    group_sub INTEGER,
    group_label TEXT NOT NULL DEFAULT '',
    also TEXT NOT NULL DEFAULT ''
);
CREATE INDEX digest_entries_part ON digest_entries(part_id, position);
-- No index on paper_id: a paper's entry in a channel is found through its alert row
-- (outbox_one_alert), and every index here costs each digest of 2,000 papers 2,000 writes.
