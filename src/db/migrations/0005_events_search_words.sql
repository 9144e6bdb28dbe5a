-- Events search, typo tolerance (hand-written: drizzle-kit cannot express triggers).
-- Keeps event_search_words filled with the distinct words (3 to 40 characters, not only digits: numbers are
-- matched exactly) of every event's search_document. AFTER trigger: the generated column is computed by then. ON CONFLICT DO NOTHING makes
-- concurrent inserts of the same new word harmless.
CREATE OR REPLACE FUNCTION sv_event_search_words() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO event_search_words (word)
  SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_document, '[^[:alnum:]]+') AS w
  WHERE char_length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER events_search_words
  AFTER INSERT OR UPDATE OF titre, lieu, description ON events
  FOR EACH ROW EXECUTE FUNCTION sv_event_search_words();--> statement-breakpoint
-- Events that existed before this migration.
INSERT INTO event_search_words (word)
SELECT DISTINCT w FROM events, regexp_split_to_table(events.search_document, '[^[:alnum:]]+') AS w
WHERE char_length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
ON CONFLICT DO NOTHING;
