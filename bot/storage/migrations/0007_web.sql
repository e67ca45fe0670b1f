-- 0007 web: each group's reading pages sit under one unguessable token (issue #12).
-- One row per group; rotating replaces the token in place, so the old one stops matching at once. `enabled`
-- turns the pages off without forgetting the row, and the UNIQUE token gives the lookup its index.

CREATE TABLE web_access (
    group_id INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL,
    rotated_at TEXT NOT NULL
);
