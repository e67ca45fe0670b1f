"""Migration 0011 on a database that already has upvotes and undo state: every vote lands in a group and none is
lost; an upvote on a shared (generated) prompt goes to the groups its voter belongs to."""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import Database

T = "2026-11-02T09:00:00Z"


async def test_existing_votes_keep_their_group_and_undo_meta_goes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        assert await db.migrate(squashed=False, target=10) == 10
        async with db.transaction() as tx:
            for gid in (1, 2, 3):
                await tx.execute(
                    "INSERT INTO groups (id, platform, room_id, created_at) VALUES (?, 'test', ?, ?)",
                    (gid, f"r{gid}", T),
                )
            for mid, name in ((1, "bob"), (2, "carol")):
                await tx.execute(
                    "INSERT INTO members (id, platform, user_id, created_at) VALUES (?, 'test', ?, ?)", (mid, name, T)
                )
            # bob reads with groups 1 and 2, carol with group 3
            for gid, mid in ((1, 1), (2, 1), (3, 2)):
                await tx.execute(
                    "INSERT INTO memberships (group_id, member_id, joined_at) VALUES (?, ?, ?)", (gid, mid, T)
                )
            await tx.execute(
                "INSERT INTO books (id, title, source_name, source_format, source_sha256, words, added_at) "
                "VALUES (1, 'B', 'b.txt', 'txt', 'sha', 10, ?)",
                (T,),
            )
            await tx.execute(
                "INSERT INTO sections (id, book_id, position, text, words, minutes) VALUES (1, 1, 1, 't', 10, 1)"
            )
            await tx.execute(
                "INSERT INTO prompts (id, section_id, group_id, source, kind, text, created_at) VALUES "
                "(1, 1, NULL, 'generated', 'theme', 'shared?', ?), (2, 1, 3, 'suggested', 'suggested', 'own?', ?)",
                (T, T),
            )
            await tx.execute(
                "INSERT INTO prompt_votes (prompt_id, member_id, created_at) VALUES (1, 1, ?), (1, 2, ?), (2, 2, ?)",
                (T, T, T),
            )
            await tx.execute("INSERT INTO meta (key, value) VALUES ('undo:1', '3,4'), ('keep', 'x')")

        assert await db.migrate(squashed=False) >= 11

        votes = await db.fetchall("SELECT prompt_id, group_id, member_id FROM prompt_votes ORDER BY 1, 2, 3")
        assert [tuple(v) for v in votes] == [(1, 1, 1), (1, 2, 1), (1, 3, 2), (2, 3, 2)]
        meta = await db.fetchall("SELECT key FROM meta WHERE key IN ('undo:1', 'keep')")
        assert [r["key"] for r in meta] == ["keep"]
        assert await db.fetchone("SELECT undo_left FROM memberships WHERE undo_left IS NOT NULL") is None
    finally:
        await db.close()
