-- 0006 progress: who has finished which reading of a plan, and who asked to be nudged before meetings.
-- One row per (member, reading) makes "done twice" impossible; rows go with the member or the reading.

CREATE TABLE reading_progress (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    reading_id INTEGER NOT NULL REFERENCES plan_readings (id) ON DELETE CASCADE,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (member_id, reading_id)
);
CREATE INDEX reading_progress_reading ON reading_progress (reading_id);

CREATE TABLE nudges (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    hours_before INTEGER NOT NULL CHECK (hours_before BETWEEN 1 AND 168),
    PRIMARY KEY (group_id, member_id)
);

-- A job may name what it belongs to ("nudge:<group>:<member>"), so re-arming replaces it instead of stacking.
ALTER TABLE jobs ADD COLUMN ref TEXT;
CREATE INDEX jobs_ref ON jobs (kind, ref);
