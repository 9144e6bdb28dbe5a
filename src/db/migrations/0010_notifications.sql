CREATE TABLE "event_messages" (
	"id" serial PRIMARY KEY NOT NULL,
	"evenement_id" integer NOT NULL,
	"auteur_id" integer,
	"titre" varchar(120) NOT NULL,
	"message" text NOT NULL,
	"destinataires" integer NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_id" bigint NOT NULL,
	"canal" varchar(10) NOT NULL,
	"statut" varchar(12) DEFAULT 'EN_ATTENTE' NOT NULL,
	"destinataire" varchar(254) DEFAULT '' NOT NULL,
	"contenu" jsonb NOT NULL,
	"modele_de_secours" boolean DEFAULT false NOT NULL,
	"erreur_modele" text,
	"tentatives" integer DEFAULT 0 NOT NULL,
	"derniere_erreur" text,
	"id_message_fournisseur" varchar(500),
	"segments_sms" integer,
	"envoyer_apres" timestamp with time zone DEFAULT now() NOT NULL,
	"verrou_jusqua" timestamp with time zone,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_envoi" timestamp with time zone,
	CONSTRAINT "notification_deliveries_canal" CHECK ("notification_deliveries"."canal" IN ('EMAIL', 'PUSH', 'SMS')),
	CONSTRAINT "notification_deliveries_statut" CHECK ("notification_deliveries"."statut" IN ('EN_ATTENTE', 'EN_COURS', 'ENVOYEE', 'ECHEC', 'IGNOREE'))
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"utilisateur_id" integer NOT NULL,
	"type_notification" varchar(40) NOT NULL,
	"canal" varchar(10) NOT NULL,
	"actif" boolean NOT NULL,
	CONSTRAINT "notification_preferences_utilisateur_id_type_notification_canal_pk" PRIMARY KEY("utilisateur_id","type_notification","canal")
);
--> statement-breakpoint
CREATE TABLE "notification_templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"type_notification" varchar(40) NOT NULL,
	"actif" boolean DEFAULT true NOT NULL,
	"titre_push" varchar(200) DEFAULT '' NOT NULL,
	"contenu_push" text DEFAULT '' NOT NULL,
	"sujet_email" varchar(300) DEFAULT '' NOT NULL,
	"contenu_email" text DEFAULT '' NOT NULL,
	"contenu_sms" text DEFAULT '' NOT NULL,
	"date_modification" timestamp with time zone DEFAULT now() NOT NULL,
	"modifie_par_id" integer
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"utilisateur_id" integer NOT NULL,
	"type_notification" varchar(40) NOT NULL,
	"titre" varchar(300) NOT NULL,
	"message" text NOT NULL,
	"donnees" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"lue" boolean DEFAULT false NOT NULL,
	"date_lecture" timestamp with time zone,
	"visible" boolean DEFAULT true NOT NULL,
	"cle_dedup" varchar(200) NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "push_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"utilisateur_id" integer NOT NULL,
	"token" varchar(512) NOT NULL,
	"plateforme" varchar(10) NOT NULL,
	"actif" boolean DEFAULT true NOT NULL,
	"notifications_envoyees" integer DEFAULT 0 NOT NULL,
	"auth_token_id" integer,
	"derniere_erreur" text,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_modification" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "push_tokens_plateforme" CHECK ("push_tokens"."plateforme" IN ('ANDROID', 'IOS', 'WEB'))
);
--> statement-breakpoint
ALTER TABLE "event_messages" ADD CONSTRAINT "event_messages_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_messages" ADD CONSTRAINT "event_messages_auteur_id_users_id_fk" FOREIGN KEY ("auteur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_modifie_par_id_users_id_fk" FOREIGN KEY ("modifie_par_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_tokens" ADD CONSTRAINT "push_tokens_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_tokens" ADD CONSTRAINT "push_tokens_auth_token_id_auth_tokens_id_fk" FOREIGN KEY ("auth_token_id") REFERENCES "public"."auth_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_messages_event_idx" ON "event_messages" USING btree ("evenement_id","date_creation");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_canal_uniq" ON "notification_deliveries" USING btree ("notification_id","canal");--> statement-breakpoint
CREATE INDEX "notification_deliveries_statut_idx" ON "notification_deliveries" USING btree ("statut","envoyer_apres");--> statement-breakpoint
CREATE INDEX "notification_deliveries_date_idx" ON "notification_deliveries" USING btree ("date_creation");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_templates_type_uniq" ON "notification_templates" USING btree ("type_notification");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedup_uniq" ON "notifications" USING btree ("utilisateur_id","cle_dedup");--> statement-breakpoint
CREATE INDEX "notifications_inbox_idx" ON "notifications" USING btree ("utilisateur_id","date_creation" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("utilisateur_id") WHERE NOT "notifications"."lue" AND "notifications"."visible";--> statement-breakpoint
CREATE INDEX "notifications_read_date_idx" ON "notifications" USING btree ("date_lecture") WHERE "notifications"."lue";--> statement-breakpoint
CREATE UNIQUE INDEX "push_tokens_token_uniq" ON "push_tokens" USING btree ("token");--> statement-breakpoint
CREATE INDEX "push_tokens_user_idx" ON "push_tokens" USING btree ("utilisateur_id") WHERE "push_tokens"."actif";--> statement-breakpoint
-- A device's push token stops receiving when the API token it was registered with ends: logout of that device,
-- a password change or reset (other sessions revoked), a deactivation or an erasure. One trigger covers every
-- path that deletes an API token, whichever module does it.
CREATE FUNCTION sv_push_tokens_on_logout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE push_tokens SET actif = false, date_modification = now() WHERE auth_token_id = OLD.id AND actif;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER auth_tokens_push_tokens_logout BEFORE DELETE ON auth_tokens FOR EACH ROW EXECUTE FUNCTION sv_push_tokens_on_logout();
