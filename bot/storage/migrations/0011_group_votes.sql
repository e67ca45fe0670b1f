-- 0011 group votes: every member action scoped to its group, and reminders that expire (issue #16).
-- * An upvote belongs to the group it was cast in: a generated prompt is shared by every group reading that
--   section, and its upvotes in one group must not count in another. Existing votes keep the prompt's own group;
--   a vote on a shared (generated) prompt goes to the groups its member belongs to.
-- * `undo` remembers, per group, which `done`s were left after it last took one back (it was a meta row per
--   member, so an `undo` in one group reset the guard of another).
-- * An outbox row may expire (`expires_at`: a reminder when its meeting starts); the sender gives it up as
--   missed instead of posting it stale.

CREATE TABLE prompt_votes_by_group (
    prompt_id INTEGER NOT NULL REFERENCES prompts (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (prompt_id, group_id, member_id)
);

INSERT OR IGNORE INTO prompt_votes_by_group (prompt_id, group_id, member_id, created_at)
SELECT v.prompt_id, coalesce(p.group_id, m.group_id), v.member_id, v.created_at
FROM prompt_votes v
JOIN prompts p ON p.id = v.prompt_id
LEFT JOIN memberships m ON p.group_id IS NULL AND m.member_id = v.member_id
WHERE coalesce(p.group_id, m.group_id) IS NOT NULL;

DROP TABLE prompt_votes;
ALTER TABLE prompt_votes_by_group RENAME TO prompt_votes;
CREATE INDEX prompt_votes_member ON prompt_votes (member_id);

ALTER TABLE memberships ADD COLUMN undo_left TEXT;
DELETE FROM meta WHERE key LIKE 'undo:%';

ALTER TABLE outbox ADD COLUMN expires_at TEXT;
