-- 0004 polls: a group's polls, their options and ballots (issue #6), and each closed poll's frozen result.
-- One ballot per member per poll (UNIQUE); voting again replaces it until the poll closes. A ballot's choices
-- are a JSON list of 0-based option positions (ranked: most preferred first). When a poll closes, its totals
-- (ranked: first preferences) go to poll_results and its instant-runoff rounds to poll_rounds, so deleting
-- ballots later ("forget me"; anonymous polls drop theirs at close) never changes a published result.

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
CREATE INDEX polls_by_group ON polls (group_id, closed_at);

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
CREATE INDEX ballots_by_member ON ballots (member_id);

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
