CREATE TABLE "event_search_words" (
	"word" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
DROP INDEX "events_statut_date_debut_idx";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "search_document" text GENERATED ALWAYS AS (sv_search_norm(titre || ' ' || lieu || ' ' || description)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "earth_point" "cube" GENERATED ALWAYS AS ((ll_to_earth(latitude, longitude))::cube) STORED;--> statement-breakpoint
CREATE INDEX "event_search_words_trgm_idx" ON "event_search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "events_statut_date_fin_idx" ON "events" USING btree ("statut","date_fin");--> statement-breakpoint
CREATE INDEX "events_statut_date_creation_idx" ON "events" USING btree ("statut","date_creation","id");--> statement-breakpoint
CREATE INDEX "events_statut_nombre_vues_idx" ON "events" USING btree ("statut","nombre_vues","id");--> statement-breakpoint
CREATE INDEX "events_search_trgm_idx" ON "events" USING gin ("search_document" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "events_earth_point_gist_idx" ON "events" USING gist ("earth_point");--> statement-breakpoint
CREATE INDEX "events_statut_date_debut_idx" ON "events" USING btree ("statut","date_debut","id");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_nombre_vues_positif" CHECK ("events"."nombre_vues" >= 0);