-- 0003 plans and schedules (issue #4): filled in by the scheduler work.
SELECT 1;
