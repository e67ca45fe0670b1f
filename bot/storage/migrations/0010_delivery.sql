-- 0010 delivery: delivery that never stalls (issue #16). Outbox rows get a retry time for exponential
-- backoff, a claim (token plus lease end) so two senders never post one row twice, and `given_up_at` for a
-- post recorded in missed_posts instead of sent. `room_failures` remembers a room whose posts were given up:
-- `dead` rooms (a permanent refusal) are skipped until a send there works again or a moderator speaks there,
-- and `noticed_at` makes the moderators' notice go out once per failure, not once per post.
-- (Numbered 0010 by agreement: 0007-0009 belong to parallel branches.)

ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN given_up_at TEXT;

CREATE INDEX outbox_pending ON outbox (platform, room_id, id) WHERE sent_at IS NULL AND given_up_at IS NULL;

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
