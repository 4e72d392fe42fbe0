-- 4: authors re-split with their affiliations apart (the Python step, step_0004.py, fills
-- the columns from authors_raw), the format each paper's metadata came from, and the abstract
-- full-text index filled after the batch instead of inside every listing's transaction.
ALTER TABLE papers ADD COLUMN affiliations TEXT NOT NULL DEFAULT '';  -- per author, U+001F
ALTER TABLE papers ADD COLUMN listing_kind TEXT;  -- 'rss', 'rdf', 'atom'; NULL: unknown

-- Papers whose row is not (or no longer) in papers_fts; Papers.index_pending() indexes them,
-- and an abstract search always does so first, so a look-up is never answered from a stale
-- index. Title look-ups (titles_fts) stay synchronous.
CREATE TABLE fts_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER papers_ai;
DROP TRIGGER papers_au;
DROP TRIGGER papers_ad;
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT OR IGNORE INTO fts_pending(id) VALUES (new.id);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors ON papers
WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
    OR old.authors IS NOT new.authors
BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors)
        SELECT 'delete', old.id, old.title, old.abstract, old.authors
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    INSERT OR IGNORE INTO fts_pending(id) VALUES (new.id);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors)
        SELECT 'delete', old.id, old.title, old.abstract, old.authors
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    DELETE FROM fts_pending WHERE id = old.id;
END;
-- A same-version listing rewrites a row with its title unchanged: no re-indexing then.
DROP TRIGGER titles_au;
CREATE TRIGGER titles_au AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
-- The topic refusal and previews read the papers of the last days.
CREATE INDEX papers_announced ON papers(announced) WHERE announced IS NOT NULL;
