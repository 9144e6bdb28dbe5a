CREATE TABLE "event_revisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"evenement_id" integer NOT NULL,
	"auteur_id" integer,
	"statut" varchar(10) DEFAULT 'EN_ATTENTE' NOT NULL,
	"champs" jsonb NOT NULL,
	"avant" jsonb NOT NULL,
	"motif_rejet" text DEFAULT '' NOT NULL,
	"moderateur_id" integer,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_decision" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_auteur_id_users_id_fk" FOREIGN KEY ("auteur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_revisions" ADD CONSTRAINT "event_revisions_moderateur_id_users_id_fk" FOREIGN KEY ("moderateur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "event_revisions_one_pending_uniq" ON "event_revisions" USING btree ("evenement_id") WHERE "event_revisions"."statut" = 'EN_ATTENTE';--> statement-breakpoint
CREATE INDEX "event_revisions_pending_idx" ON "event_revisions" USING btree ("statut","date_creation") WHERE "event_revisions"."statut" = 'EN_ATTENTE';