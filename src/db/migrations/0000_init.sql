-- Extensions used by search (pg_trgm, unaccent) and nearby queries (cube, earthdistance).
-- All four are "trusted" since PostgreSQL 13, so a database owner can create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS cube;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS earthdistance;--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"action" varchar(64) NOT NULL,
	"cible" varchar(100) DEFAULT '' NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" "inet",
	"user_agent" varchar(255) DEFAULT '' NOT NULL,
	"date_action" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"derniere_utilisation" timestamp with time zone,
	"user_agent" varchar(255) DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"id" serial PRIMARY KEY NOT NULL,
	"follower_id" integer NOT NULL,
	"followed_id" integer NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_not_self" CHECK ("follows"."follower_id" <> "follows"."followed_id")
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"login" varchar(254) NOT NULL,
	"user_id" integer,
	"ip" "inet",
	"succes" boolean NOT NULL,
	"date_tentative" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"username" varchar(150) NOT NULL,
	"email" varchar(254) NOT NULL,
	"password" varchar(255) NOT NULL,
	"first_name" varchar(150) DEFAULT '' NOT NULL,
	"last_name" varchar(150) DEFAULT '' NOT NULL,
	"is_staff" boolean DEFAULT false NOT NULL,
	"is_superuser" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_login" timestamp with time zone,
	"telephone" varchar(20) NOT NULL,
	"date_naissance" date,
	"photo_profil" varchar(255) DEFAULT '' NOT NULL,
	"bio" varchar(500) DEFAULT '' NOT NULL,
	"est_verifie" boolean DEFAULT false NOT NULL,
	"date_verification" timestamp with time zone,
	"email_verifie" boolean DEFAULT false NOT NULL,
	"notifications_email" boolean DEFAULT true NOT NULL,
	"notifications_push" boolean DEFAULT true NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_modification" timestamp with time zone DEFAULT now() NOT NULL,
	"derniere_connexion_ip" "inet"
);
--> statement-breakpoint
CREATE TABLE "event_categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"nom" varchar(100) NOT NULL,
	"slug" varchar(100) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icone" varchar(50) DEFAULT '' NOT NULL,
	"couleur" varchar(7) DEFAULT '#007bff' NOT NULL,
	"actif" boolean DEFAULT true NOT NULL,
	"ordre" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_participations" (
	"id" serial PRIMARY KEY NOT NULL,
	"utilisateur_id" integer NOT NULL,
	"evenement_id" integer NOT NULL,
	"statut" varchar(10) DEFAULT 'CONFIRME' NOT NULL,
	"date_participation" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" serial PRIMARY KEY NOT NULL,
	"titre" varchar(200) NOT NULL,
	"description" text NOT NULL,
	"description_courte" varchar(300) DEFAULT '' NOT NULL,
	"createur_id" integer NOT NULL,
	"categorie_id" integer NOT NULL,
	"date_debut" timestamp with time zone NOT NULL,
	"date_fin" timestamp with time zone NOT NULL,
	"lieu" varchar(200) NOT NULL,
	"adresse" text DEFAULT '' NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"type_acces" varchar(10) NOT NULL,
	"prix" integer DEFAULT 0 NOT NULL,
	"capacite_max" integer NOT NULL,
	"statut" varchar(15) DEFAULT 'EN_ATTENTE' NOT NULL,
	"image" varchar(255) DEFAULT '' NOT NULL,
	"validateur_id" integer,
	"date_validation" timestamp with time zone,
	"motif_rejet" text DEFAULT '' NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_modification" timestamp with time zone DEFAULT now() NOT NULL,
	"nombre_vues" integer DEFAULT 0 NOT NULL,
	"participants_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "events_dates_ordre" CHECK ("events"."date_fin" > "events"."date_debut"),
	CONSTRAINT "events_capacite_positive" CHECK ("events"."capacite_max" >= 1),
	CONSTRAINT "events_prix_coherent" CHECK (("events"."type_acces" = 'GRATUIT' AND "events"."prix" = 0) OR ("events"."type_acces" = 'PAYANT' AND "events"."prix" > 0)),
	CONSTRAINT "events_participants_bornes" CHECK ("events"."participants_count" >= 0 AND "events"."participants_count" <= "events"."capacite_max"),
	CONSTRAINT "events_coordonnees" CHECK (("events"."latitude" IS NULL) = ("events"."longitude" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_follower_id_users_id_fk" FOREIGN KEY ("follower_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_followed_id_users_id_fk" FOREIGN KEY ("followed_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "login_attempts" ADD CONSTRAINT "login_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_participations" ADD CONSTRAINT "event_participations_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_participations" ADD CONSTRAINT "event_participations_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_createur_id_users_id_fk" FOREIGN KEY ("createur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_categorie_id_event_categories_id_fk" FOREIGN KEY ("categorie_id") REFERENCES "public"."event_categories"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_validateur_id_users_id_fk" FOREIGN KEY ("validateur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_logs_date_idx" ON "audit_logs" USING btree ("date_action");--> statement-breakpoint
CREATE INDEX "audit_logs_user_idx" ON "audit_logs" USING btree ("user_id","date_action");--> statement-breakpoint
CREATE UNIQUE INDEX "auth_tokens_key_hash_uniq" ON "auth_tokens" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "auth_tokens_user_idx" ON "auth_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "follows_pair_uniq" ON "follows" USING btree ("follower_id","followed_id");--> statement-breakpoint
CREATE INDEX "follows_followed_idx" ON "follows" USING btree ("followed_id");--> statement-breakpoint
CREATE INDEX "login_attempts_user_date_idx" ON "login_attempts" USING btree ("user_id","date_tentative");--> statement-breakpoint
CREATE INDEX "login_attempts_date_idx" ON "login_attempts" USING btree ("date_tentative");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_uniq" ON "users" USING btree (lower("username"));--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_uniq" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "users_telephone_uniq" ON "users" USING btree ("telephone");--> statement-breakpoint
CREATE INDEX "users_date_creation_idx" ON "users" USING btree ("date_creation");--> statement-breakpoint
CREATE UNIQUE INDEX "event_categories_nom_uniq" ON "event_categories" USING btree ("nom");--> statement-breakpoint
CREATE UNIQUE INDEX "event_categories_slug_uniq" ON "event_categories" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "event_participations_pair_uniq" ON "event_participations" USING btree ("utilisateur_id","evenement_id");--> statement-breakpoint
CREATE INDEX "event_participations_event_idx" ON "event_participations" USING btree ("evenement_id","statut");--> statement-breakpoint
CREATE INDEX "events_statut_date_debut_idx" ON "events" USING btree ("statut","date_debut");--> statement-breakpoint
CREATE INDEX "events_createur_statut_idx" ON "events" USING btree ("createur_id","statut");--> statement-breakpoint
CREATE INDEX "events_categorie_statut_idx" ON "events" USING btree ("categorie_id","statut");