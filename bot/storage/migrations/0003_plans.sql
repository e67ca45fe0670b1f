-- 0003 plans: study plans (a syllabus of readings laid on meetings) and the scheduler's recurring rules.
-- A plan keeps its rule as members gave it: cadence text (weekdays + local wall-clock time, read back by
-- bot.domain.plans.parse_cadence), the IANA zone name, start/end dates and blackout dates; never an offset.
-- plan_readings hold the syllabus in order (position 0-based) with each meeting's UTC instant derived from
-- the rule. schedules are recurring rules as JSON with an indexed next_fire_at (UTC): the dispatcher claims
-- due rows, turns each occurrence into outbox posts keyed "<name>@<fire time>" and advances next_fire_at in
-- the same transaction. missed_posts records every occurrence the catch-up policy refused to post late.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'finished', 'cancelled', 'discarded')),
    token TEXT UNIQUE,
    cadence TEXT NOT NULL,
    per_meeting TEXT NOT NULL,
    timezone TEXT NOT NULL,
    start_date TEXT NOT NULL,
    until_date TEXT,
    blackouts TEXT NOT NULL DEFAULT '[]',
    created_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    paused_at TEXT
);
CREATE INDEX plans_group ON plans (group_id, status);

CREATE TABLE plan_readings (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    section_ids TEXT NOT NULL,
    title TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes >= 0),
    meeting_at TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    opened_at TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plan_id, position)
);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    rule TEXT NOT NULL DEFAULT '{}',
    next_fire_at TEXT,
    last_fire_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_fire_at);
CREATE INDEX schedules_owner ON schedules (owner);

CREATE TABLE reminder_settings (
    group_id INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    offsets TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE missed_posts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    schedule_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    due_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT
);
CREATE INDEX missed_posts_group ON missed_posts (group_id, due_at);
