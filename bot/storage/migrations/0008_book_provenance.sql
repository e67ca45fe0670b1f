-- 0008 book provenance: the editors', publishers' and translators' matter ingestion moves out of the readings
-- (#13) is kept with the book as a JSON list of the notes' texts in book order, shown by `library show` and
-- used for attribution; before this it was silently lost.
ALTER TABLE books ADD COLUMN provenance TEXT NOT NULL DEFAULT '[]';
