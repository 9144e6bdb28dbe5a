-- Events search (hand-written: drizzle-kit cannot express functions).
--
-- `unaccent()` is only STABLE (its dictionary could in theory change), so PostgreSQL refuses it in an index
-- or a generated column. These wrappers pin the dictionary by schema-qualified name and are declared
-- IMMUTABLE, the standard way to index unaccented text. If the unaccent rules file were ever edited, the
-- column `events.search_document` would need a rewrite (UPDATE events SET titre = titre).
CREATE OR REPLACE FUNCTION sv_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;--> statement-breakpoint

-- The normal form both the stored documents and the search terms go through: no accents, lower case, and
-- apostrophes dropped so that "Côte d'Ivoire" and "cote divoire" give the same trigrams.
CREATE OR REPLACE FUNCTION sv_search_norm(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(regexp_replace(public.sv_unaccent($1), '[''’`´]', '', 'g')) $$;
--> statement-breakpoint

-- Typo tolerance: `term <% document` matches when pg_trgm's word similarity reaches this threshold. The
-- default 0.6 misses a letter dropped inside a word ("yopugon" → "Yopougon" scores 0.55); 0.5 catches such
-- typos, and relevance ranking keeps the weaker matches last. Set as the database's default (new sessions)
-- and for this session (the embedded database keeps the session that ran the migration).
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.5', current_database());
END $$;--> statement-breakpoint
SET pg_trgm.word_similarity_threshold = 0.5;
