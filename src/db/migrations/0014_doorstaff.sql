CREATE TABLE "equipe_evenement" (
	"id" serial PRIMARY KEY NOT NULL,
	"evenement_id" integer NOT NULL,
	"utilisateur_id" integer NOT NULL,
	"role" varchar(12) NOT NULL,
	"ajoute_par" integer,
	"date_ajout" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equipe_evenement_role" CHECK ("equipe_evenement"."role" IN ('SCANNER', 'GESTIONNAIRE'))
);
--> statement-breakpoint
CREATE TABLE "jetons_controle" (
	"id" serial PRIMARY KEY NOT NULL,
	"membre_id" integer NOT NULL,
	"evenement_id" integer NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"libelle" varchar(100) DEFAULT '' NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"derniere_utilisation" timestamp with time zone,
	"revoque_le" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "checkin_scans" (
	"id" serial PRIMARY KEY NOT NULL,
	"evenement_id" integer NOT NULL,
	"nonce" varchar(100) NOT NULL,
	"saisie_hash" varchar(64) NOT NULL,
	"ticket_id" integer,
	"scanne_le" timestamp with time zone NOT NULL,
	"entree" varchar(60),
	"controleur_id" integer,
	"jeton_id" integer,
	"statut" varchar(16) NOT NULL,
	"message" varchar(300) NOT NULL,
	"date_reception" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "entree" varchar(60);--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD COLUMN "max_membres_equipe" integer;--> statement-breakpoint
ALTER TABLE "equipe_evenement" ADD CONSTRAINT "equipe_evenement_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipe_evenement" ADD CONSTRAINT "equipe_evenement_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipe_evenement" ADD CONSTRAINT "equipe_evenement_ajoute_par_users_id_fk" FOREIGN KEY ("ajoute_par") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jetons_controle" ADD CONSTRAINT "jetons_controle_membre_id_equipe_evenement_id_fk" FOREIGN KEY ("membre_id") REFERENCES "public"."equipe_evenement"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jetons_controle" ADD CONSTRAINT "jetons_controle_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_scans" ADD CONSTRAINT "checkin_scans_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_scans" ADD CONSTRAINT "checkin_scans_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_scans" ADD CONSTRAINT "checkin_scans_controleur_id_users_id_fk" FOREIGN KEY ("controleur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "equipe_evenement_uniq" ON "equipe_evenement" USING btree ("evenement_id","utilisateur_id");--> statement-breakpoint
CREATE INDEX "equipe_evenement_utilisateur_idx" ON "equipe_evenement" USING btree ("utilisateur_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jetons_controle_key_hash_uniq" ON "jetons_controle" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "jetons_controle_evenement_idx" ON "jetons_controle" USING btree ("evenement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "checkin_scans_nonce_uniq" ON "checkin_scans" USING btree ("evenement_id","nonce");--> statement-breakpoint
CREATE INDEX "checkin_scans_ticket_idx" ON "checkin_scans" USING btree ("ticket_id");--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD CONSTRAINT "subscription_plans_max_equipe" CHECK ("subscription_plans"."max_membres_equipe" IS NULL OR "subscription_plans"."max_membres_equipe" >= 0);--> statement-breakpoint
-- Door-staff members per event: two on the free plan, ten on Essentiel, unlimited on the Professionnel plans.
UPDATE "subscription_plans" SET "max_membres_equipe" = CASE "code" WHEN 'gratuit' THEN 2 WHEN 'essentiel' THEN 10 ELSE NULL END;
