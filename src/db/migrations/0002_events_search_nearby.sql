ALTER TABLE "events" ADD COLUMN "search_document" text GENERATED ALWAYS AS (sv_search_norm(titre || ' ' || lieu || ' ' || description)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "events_statut_date_creation_idx" ON "events" USING btree ("statut","date_creation");--> statement-breakpoint
CREATE INDEX "events_statut_nombre_vues_idx" ON "events" USING btree ("statut","nombre_vues");--> statement-breakpoint
CREATE INDEX "events_search_trgm_idx" ON "events" USING gin ("search_document" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "events_earth_gist_idx" ON "events" USING gist (ll_to_earth("latitude", "longitude")) WHERE "events"."latitude" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_nombre_vues_positif" CHECK ("events"."nombre_vues" >= 0);