-- 9: what a scholarly index (Semantic Scholar; OpenAlex later) said about an arXiv paper:
-- its published version (venue, journal, DOI), citation count and TL;DR, kept until
-- `expires_at` (epoch seconds: [identity] cache_days after it was fetched; a paper the index
-- did not hold, `found = 0`, is asked again sooner). A look-up answered from here costs no
-- request; an alert uses a TL;DR only when it is already here.
CREATE TABLE index_records (
    arxiv_id TEXT NOT NULL,
    source TEXT NOT NULL,             -- 'semantic_scholar', 'openalex'
    found INTEGER NOT NULL,           -- 0: the index did not hold the paper when asked
    index_id TEXT,                    -- the index's own id of the paper
    title TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL DEFAULT '',
    journal TEXT NOT NULL DEFAULT '',
    doi TEXT,                         -- the published version's DOI (never arXiv's 10.48550/)
    citations INTEGER,
    tldr TEXT NOT NULL DEFAULT '',
    year INTEGER,
    fetched_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (arxiv_id, source)
);
CREATE INDEX index_records_expiry ON index_records(expires_at);
