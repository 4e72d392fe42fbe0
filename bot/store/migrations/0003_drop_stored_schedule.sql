-- 3: next-poll times are computed from the schedule and the back-off, never stored, and
-- nothing used the key-value table.
ALTER TABLE source_state DROP COLUMN next_poll_at;
DROP TABLE meta;
