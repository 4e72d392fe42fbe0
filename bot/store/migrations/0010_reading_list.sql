-- 10: the reading list (papers a channel keeps, one mark per person) and the platform events
-- already handled (a retried delivery of one is ignored).
-- saved.via: how the mark was made ('command': save ID in chat or the CLI; 'button': an
--   alert's Save button; 'reaction': a pin reaction on an alert). Removing the reaction removes
--   the mark only when a reaction made it.
-- saved.user_id: the platform's user id ('cli:NAME' from the command line); user_name what the
--   platform called them then ('' when it did not say).
CREATE TABLE saved (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers(arxiv_id),
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    via TEXT NOT NULL CHECK (via IN ('command', 'button', 'reaction')),
    saved_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, paper_id, user_id)
);
CREATE INDEX saved_newest ON saved(channel_id, saved_at);

-- seen_events: (platform, event id) of each event handled, kept a day and at most 10,000.
CREATE TABLE seen_events (
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (platform, event_id)
);
CREATE INDEX seen_events_age ON seen_events(seen_at);

-- A reaction or a button press names the message by the platform's id of it.
CREATE INDEX outbox_platform_ref ON outbox(channel_id, platform_ref)
    WHERE platform_ref IS NOT NULL;
