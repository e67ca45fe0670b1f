-- 0008 reserved: this number belongs to another branch (issue #14's branch uses 0009, as briefed).
-- The lead drops this file when merging the branch that brings the real 0008.
SELECT 1;
