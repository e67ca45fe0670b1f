-- The squashed schema at version 4: what the numbered migrations give, applied in one step
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
    joined_at TEXT NOT NULL,
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
    added_at TEXT NOT NULL
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
);

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
);

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

CREATE INDEX jobs_due ON jobs (status, fire_at);

CREATE INDEX outbox_unsent ON outbox (sent_at, id);

CREATE TRIGGER paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
