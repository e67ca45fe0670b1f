-- 0001 core: the tables every feature stands on.
-- Groups are bound to one (platform, room); members are (platform, user id) with a role per group.
-- Books and sections hold the library; jobs are one-shot persistent timers; outbox rows are every scheduled
-- post before it is sent, keyed so that a post is never delivered twice.
-- Times are TEXT in UTC, "YYYY-MM-DDTHH:MM:SSZ", so text order is time order on every database.

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
CREATE INDEX jobs_due ON jobs (status, fire_at);

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
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
