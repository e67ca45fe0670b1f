-- 0005 quotes and prompts: quote candidates scored when a book is added, which quotes each group has seen, and
-- discussion prompts (issue #5). A quote cites its paragraph and sentence span; `speaker` names the person the
-- passage quotes (NULL: the book's author). quote_views keeps a shown count and last time per group, so the
-- quote of the day prefers rarely shown quotes and repeats none before the pool is used up. Prompts are the
-- generator's (group_id NULL, cached per section with the library fingerprint they were made from) or a group's
-- own (curated by moderators, suggested by members); prompt_votes allows one upvote per member and prompt.

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
CREATE INDEX quotes_section ON quotes (section_id, rank);
CREATE INDEX quotes_book ON quotes (book_id);

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
CREATE INDEX prompts_section ON prompts (section_id, source, rank);

CREATE TABLE prompt_votes (
    prompt_id INTEGER NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (prompt_id, member_id)
);
