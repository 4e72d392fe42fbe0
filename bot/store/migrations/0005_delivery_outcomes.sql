-- 5: what delivery needs to survive lost answers and to explain itself.
-- claimed_at: when the current claim began (an attempt whose answer is lost started then).
-- check_from: set when an earlier attempt's outcome is unknown (the answer never came, the
--   process died mid-send, the platform said "maybe"): before sending again, the adapter looks
--   on the platform for a message posted since this time (epoch seconds).
-- failing_since: when a source's current run of failures began (status shows it).
ALTER TABLE outbox ADD COLUMN claimed_at REAL;
ALTER TABLE outbox ADD COLUMN check_from REAL;
ALTER TABLE source_state ADD COLUMN failing_since TEXT;
