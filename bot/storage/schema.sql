-- The squashed schema at version 12: what the numbered migrations give, applied in one step
-- to a fresh database. Regenerate after adding a migration:
--   .venv/bin/readalong db schema > bot/storage/schema.sql

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    created_at TEXT NOT NULL,
    UNIQUE (platform, room_id)
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (platform, user_id)
);

CREATE TABLE memberships (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator')),
    joined_at TEXT NOT NULL, undo_left TEXT,
    PRIMARY KEY (group_id, member_id)
);

CREATE TABLE books (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    authors TEXT NOT NULL DEFAULT '[]',
    date TEXT,
    source_name TEXT NOT NULL,
    source_format TEXT NOT NULL,
    source_sha256 TEXT NOT NULL UNIQUE,
    words INTEGER NOT NULL CHECK (words >= 0),
    added_at TEXT NOT NULL,
    provenance TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 1),
    heading TEXT,
    level INTEGER NOT NULL DEFAULT 1,
    text TEXT NOT NULL,
    words INTEGER NOT NULL CHECK (words >= 0),
    minutes INTEGER NOT NULL CHECK (minutes >= 0),
    notes TEXT NOT NULL DEFAULT '[]',
    UNIQUE (book_id, position)
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    fire_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'missed', 'cancelled')),
    created_at TEXT NOT NULL,
    finished_at TEXT
, ref TEXT);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    thread_key TEXT,
    starts_thread INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
, next_attempt_at TEXT, claim_token TEXT, claimed_until TEXT, given_up_at TEXT, expires_at TEXT);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 1),
    text TEXT NOT NULL,
    sentences TEXT NOT NULL DEFAULT '[]',
    UNIQUE (section_id, position)
);

CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (
    text,
    content = 'paragraphs',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE external_refs (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    external_id TEXT NOT NULL,
    PRIMARY KEY (platform, room_id, kind, key)
);

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

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multi', 'ranked')),
    purpose TEXT NOT NULL DEFAULT 'general' CHECK (purpose IN ('general', 'next-book', 'meeting-time')),
    anonymous INTEGER NOT NULL DEFAULT 0,
    quorum INTEGER CHECK (quorum IS NULL OR quorum >= 1),
    created_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    closes_at TEXT,
    closed_at TEXT,
    total_ballots INTEGER,
    winners TEXT
);

CREATE TABLE poll_options (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    label TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (poll_id, position)
);

CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    choices TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    UNIQUE (poll_id, member_id)
);

CREATE TABLE poll_results (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    votes INTEGER NOT NULL CHECK (votes >= 0),
    PRIMARY KEY (poll_id, position)
);

CREATE TABLE poll_rounds (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    votes TEXT NOT NULL,
    continuing TEXT NOT NULL,
    exhausted INTEGER NOT NULL CHECK (exhausted >= 0),
    eliminated INTEGER,
    tie_break TEXT,
    PRIMARY KEY (poll_id, number)
);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    section_id INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs (id) ON DELETE CASCADE,
    paragraph_position INTEGER NOT NULL CHECK (paragraph_position >= 1),
    first_sentence INTEGER NOT NULL CHECK (first_sentence >= 0),
    last_sentence INTEGER NOT NULL CHECK (last_sentence >= first_sentence),
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL CHECK (end_offset > start_offset),
    text TEXT NOT NULL,
    speaker TEXT,
    score REAL NOT NULL,
    rank INTEGER NOT NULL CHECK (rank >= 1)
);

CREATE TABLE quote_views (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    quote_id INTEGER NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    shown_count INTEGER NOT NULL DEFAULT 0 CHECK (shown_count >= 0),
    last_shown_at TEXT,
    PRIMARY KEY (group_id, quote_id)
);

CREATE TABLE prompts (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('generated', 'curated', 'suggested')),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    rank INTEGER NOT NULL DEFAULT 0,
    library_key TEXT,
    member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE reading_progress (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    reading_id INTEGER NOT NULL REFERENCES plan_readings (id) ON DELETE CASCADE,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (member_id, reading_id)
);

CREATE TABLE nudges (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    hours_before INTEGER NOT NULL CHECK (hours_before BETWEEN 1 AND 168),
    PRIMARY KEY (group_id, member_id)
);

CREATE TABLE web_access (
    group_id INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL,
    rotated_at TEXT NOT NULL
);

CREATE TABLE room_failures (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    dead INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    since TEXT NOT NULL,
    noticed_at TEXT,
    PRIMARY KEY (platform, room_id)
);

CREATE TABLE "prompt_votes" (
    prompt_id INTEGER NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (prompt_id, group_id, member_id)
);

CREATE TABLE reading_models (
    section_id INTEGER PRIMARY KEY REFERENCES sections (id) ON DELETE CASCADE,
    book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    library_key TEXT NOT NULL,
    book_kind TEXT NOT NULL CHECK (book_kind IN ('argument', 'narrative')),
    terms TEXT NOT NULL DEFAULT '[]',
    editorial TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE claims (
    section_id INTEGER NOT NULL REFERENCES reading_models (section_id) ON DELETE CASCADE,
    rank INTEGER NOT NULL CHECK (rank >= 1),
    kind TEXT NOT NULL,
    voice TEXT NOT NULL CHECK (voice IN ('author', 'quoted', 'editor')),
    speaker TEXT,
    paragraph_position INTEGER NOT NULL CHECK (paragraph_position >= 1),
    first_sentence INTEGER NOT NULL CHECK (first_sentence >= 0),
    last_sentence INTEGER NOT NULL CHECK (last_sentence >= first_sentence),
    text TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    opponent TEXT,
    term TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (section_id, rank)
);

CREATE INDEX jobs_due ON jobs (status, fire_at);

CREATE INDEX outbox_unsent ON outbox (sent_at, id);

CREATE INDEX plans_group ON plans (group_id, status);

CREATE INDEX schedules_due ON schedules (next_fire_at);

CREATE INDEX schedules_owner ON schedules (owner);

CREATE INDEX missed_posts_group ON missed_posts (group_id, due_at);

CREATE INDEX polls_by_group ON polls (group_id, closed_at);

CREATE INDEX ballots_by_member ON ballots (member_id);

CREATE INDEX quotes_section ON quotes (section_id, rank);

CREATE INDEX quotes_book ON quotes (book_id);

CREATE INDEX prompts_section ON prompts (section_id, source, rank);

CREATE INDEX reading_progress_reading ON reading_progress (reading_id);

CREATE INDEX jobs_ref ON jobs (kind, ref);

CREATE INDEX outbox_pending ON outbox (platform, room_id, id) WHERE sent_at IS NULL AND given_up_at IS NULL;

CREATE INDEX reading_models_book ON reading_models (book_id);

CREATE INDEX prompt_votes_member ON prompt_votes (member_id);

CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
