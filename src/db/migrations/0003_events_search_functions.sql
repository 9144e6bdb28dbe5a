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
