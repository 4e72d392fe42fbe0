-- 8: author identity (#15). The persons channels follow (an OpenAlex author record: the
-- names a listing may write them by, the institution `list` shows, refreshed after
-- [identity] cache_days) and the health of the index (its last answer, its failures, and
-- the park after a 429: no request before `parked_until`, epoch seconds).
CREATE TABLE persons (
    author_id TEXT PRIMARY KEY,
    orcid TEXT,
    display_name TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '',
    institution TEXT,
    works_count INTEGER NOT NULL DEFAULT 0,
    fetched_at REAL NOT NULL
);
CREATE INDEX persons_orcid ON persons(orcid) WHERE orcid IS NOT NULL;
CREATE TABLE index_health (
    name TEXT PRIMARY KEY,
    last_success REAL,
    last_failure REAL,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    parked_until REAL
);
