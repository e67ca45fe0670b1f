-- 0009 claims: the argument model of each reading (issue #14), built when a book is added. reading_models holds
-- a reading's book kind (argument or narrative), its key terms and the paragraphs in the editor's voice, under the
-- library key it was built with (a new book changes key terms, so a model is current only for its key). claims
-- holds its claims best first: kind (thesis, dispute, position, standpoint, … or choice, scene, aside in a novel),
-- who speaks (author, quoted, editor; speaker names a quoted figure), the verbatim passage and where it stands,
-- the evidence the reading offers (JSON passages), the opponent it answers, a defined term or a character, and the
-- people, events and dates at stake (JSON).

CREATE TABLE reading_models (
    section_id INTEGER PRIMARY KEY REFERENCES sections (id) ON DELETE CASCADE,
    book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    library_key TEXT NOT NULL,
    book_kind TEXT NOT NULL CHECK (book_kind IN ('argument', 'narrative')),
    terms TEXT NOT NULL DEFAULT '[]',
    editorial TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX reading_models_book ON reading_models (book_id);

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
