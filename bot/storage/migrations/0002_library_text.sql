-- 0002 library text: paragraphs with their sentence offsets, for quotes and citations (#5), and a
-- full-text index over them for `library search` and `quote search`. The FTS5 table is SQLite's; it is kept in
-- step by triggers and only bot/storage/search.py queries it, so another database can swap in its own index.
-- external_refs maps our keys to the platforms' ids (a reading's thread, a meeting's scheduled event).

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

CREATE TRIGGER paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

CREATE TABLE external_refs (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    external_id TEXT NOT NULL,
    PRIMARY KEY (platform, room_id, kind, key)
);
