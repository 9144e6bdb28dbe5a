CREATE TABLE "subscription_plans" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" varchar(40) NOT NULL,
	"nom" varchar(100) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"prix" integer NOT NULL,
	"duree_jours" integer NOT NULL,
	"actif" boolean DEFAULT true NOT NULL,
	"max_evenements_actifs" integer,
	"evenements_payants" boolean DEFAULT true NOT NULL,
	"max_types_billet_par_evenement" integer,
	"commission_pourcentage" numeric(5, 2) DEFAULT 0 NOT NULL,
	"mise_en_avant" boolean DEFAULT false NOT NULL,
	"statistiques_avancees" boolean DEFAULT false NOT NULL,
	"messages_participants" boolean DEFAULT false NOT NULL,
	"ordre" integer DEFAULT 0 NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_modification" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_plans_prix_positif" CHECK ("subscription_plans"."prix" >= 0),
	CONSTRAINT "subscription_plans_duree_positive" CHECK ("subscription_plans"."duree_jours" > 0),
	CONSTRAINT "subscription_plans_commission" CHECK ("subscription_plans"."commission_pourcentage" >= 0 AND "subscription_plans"."commission_pourcentage" <= 100),
	CONSTRAINT "subscription_plans_max_evenements" CHECK ("subscription_plans"."max_evenements_actifs" IS NULL OR "subscription_plans"."max_evenements_actifs" >= 0),
	CONSTRAINT "subscription_plans_max_types" CHECK ("subscription_plans"."max_types_billet_par_evenement" IS NULL OR "subscription_plans"."max_types_billet_par_evenement" >= 1)
);
--> statement-breakpoint
CREATE TABLE "subscription_reminders" (
	"subscription_id" integer NOT NULL,
	"etape" varchar(10) NOT NULL,
	"date_envoi" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_reminders_subscription_id_etape_pk" PRIMARY KEY("subscription_id","etape")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisateur_id" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"statut" varchar(12) DEFAULT 'EN_ATTENTE' NOT NULL,
	"nature" varchar(15) DEFAULT 'NOUVEAU' NOT NULL,
	"payment_id" integer,
	"montant" integer DEFAULT 0 NOT NULL,
	"duree_jours" integer NOT NULL,
	"precedent_id" integer,
	"date_debut" timestamp with time zone,
	"date_fin" timestamp with time zone,
	"en_grace_jusqu_au" timestamp with time zone,
	"annule_le" timestamp with time zone,
	"motif" varchar(300) DEFAULT '' NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "commission_pourcentage" numeric(5, 2);--> statement-breakpoint
ALTER TABLE "subscription_reminders" ADD CONSTRAINT "subscription_reminders_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_organisateur_id_users_id_fk" FOREIGN KEY ("organisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_plan_id_subscription_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."subscription_plans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "subscription_plans_code_uniq" ON "subscription_plans" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_pending_uniq" ON "subscriptions" USING btree ("organisateur_id","plan_id") WHERE "subscriptions"."statut" = 'EN_ATTENTE';--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_payment_uniq" ON "subscriptions" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "subscriptions_organisateur_idx" ON "subscriptions" USING btree ("organisateur_id","statut","date_debut");--> statement-breakpoint
CREATE INDEX "subscriptions_fin_idx" ON "subscriptions" USING btree ("date_fin") WHERE "subscriptions"."statut" = 'ACTIF';--> statement-breakpoint
-- The free plan keeps today's behaviour for every organizer without a subscription (no limit, paid events
-- allowed, no commission); staff tighten it from /api/admin/subscription-plans/. Paid plans in French.
INSERT INTO "subscription_plans" ("code", "nom", "description", "prix", "duree_jours", "max_evenements_actifs", "evenements_payants", "max_types_billet_par_evenement", "commission_pourcentage", "mise_en_avant", "statistiques_avancees", "messages_participants", "ordre") VALUES
  ('gratuit', 'Gratuit', 'Pour commencer : publiez vos événements et vendez vos billets.', 0, 30, NULL, true, NULL, 0, false, false, false, 0),
  ('essentiel', 'Essentiel', 'Pour les organisateurs réguliers : messages aux participants et statistiques détaillées.', 5000, 30, NULL, true, NULL, 0, false, true, true, 1),
  ('professionnel', 'Professionnel', 'Pour les professionnels : mise en avant de vos événements en plus.', 15000, 30, NULL, true, NULL, 0, true, true, true, 2),
  ('professionnel-annuel', 'Professionnel (12 mois)', 'Le forfait Professionnel payé pour un an, deux mois offerts.', 150000, 365, NULL, true, NULL, 0, true, true, true, 3)
ON CONFLICT DO NOTHING;
