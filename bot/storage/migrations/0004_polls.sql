-- 0004 polls and ballots (issue #6): filled in by the votes work.
SELECT 1;
