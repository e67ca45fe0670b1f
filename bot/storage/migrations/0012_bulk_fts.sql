-- 0012 bulk FTS: a book's paragraphs enter the full-text index in one statement after they are stored
-- (bot/storage/books.py insert), not through a trigger fired once per row, which cost about four times as
-- much (#13: the whole `library add` near-linear). Deleting keeps its trigger: deletes are rare and small.

DROP TRIGGER paragraphs_fts_insert;
