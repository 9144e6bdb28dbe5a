CREATE TABLE "ticket_types" (
	"id" serial PRIMARY KEY NOT NULL,
	"evenement_id" integer NOT NULL,
	"nom" varchar(100) NOT NULL,
	"prix" integer NOT NULL,
	"quantite" integer NOT NULL,
	"vendus" integer DEFAULT 0 NOT NULL,
	"debut_vente" timestamp with time zone,
	"fin_vente" timestamp with time zone,
	"max_par_commande" integer DEFAULT 10 NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_types_prix_positif" CHECK ("ticket_types"."prix" > 0),
	CONSTRAINT "ticket_types_quantite_positive" CHECK ("ticket_types"."quantite" >= 1),
	CONSTRAINT "ticket_types_vendus_bornes" CHECK ("ticket_types"."vendus" >= 0 AND "ticket_types"."vendus" <= "ticket_types"."quantite"),
	CONSTRAINT "ticket_types_max_commande" CHECK ("ticket_types"."max_par_commande" >= 1),
	CONSTRAINT "ticket_types_fenetre" CHECK ("ticket_types"."fin_vente" IS NULL OR "ticket_types"."debut_vente" IS NULL OR "ticket_types"."fin_vente" > "ticket_types"."debut_vente")
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" varchar(20) NOT NULL,
	"payment_id" integer NOT NULL,
	"rang" integer NOT NULL,
	"type_billet_id" integer NOT NULL,
	"evenement_id" integer NOT NULL,
	"titulaire_id" integer,
	"titulaire_nom" varchar(300) DEFAULT '' NOT NULL,
	"statut" varchar(10) DEFAULT 'VALIDE' NOT NULL,
	"date_emission" timestamp with time zone DEFAULT now() NOT NULL,
	"date_utilisation" timestamp with time zone,
	"controleur_id" integer
);
--> statement-breakpoint
CREATE TABLE "momo_transactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"payment_id" integer,
	"fournisseur" varchar(15) NOT NULL,
	"transaction_id" varchar(100) DEFAULT '' NOT NULL,
	"statut_fournisseur" varchar(50) DEFAULT '' NOT NULL,
	"authentifie" boolean NOT NULL,
	"motif_rejet" varchar(200) DEFAULT '' NOT NULL,
	"corps" text NOT NULL,
	"entetes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" varchar(64) DEFAULT '' NOT NULL,
	"date_reception" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" serial PRIMARY KEY NOT NULL,
	"reference" varchar(40) NOT NULL,
	"type" varchar(12) DEFAULT 'BILLET' NOT NULL,
	"utilisateur_id" integer,
	"evenement_id" integer,
	"type_billet_id" integer,
	"quantite" integer DEFAULT 1 NOT NULL,
	"montant" integer NOT NULL,
	"devise" varchar(3) DEFAULT 'XOF' NOT NULL,
	"fournisseur" varchar(15) NOT NULL,
	"telephone" varchar(20) NOT NULL,
	"statut" varchar(12) DEFAULT 'EN_ATTENTE' NOT NULL,
	"reference_fournisseur" varchar(100) NOT NULL,
	"donnees_fournisseur" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"payment_url" text,
	"idempotency_key" varchar(255),
	"empreinte_requete" varchar(64) DEFAULT '' NOT NULL,
	"expire_le" timestamp with time zone NOT NULL,
	"raison_echec" varchar(100) DEFAULT '' NOT NULL,
	"prochaine_verification" timestamp with time zone,
	"verifications" integer DEFAULT 0 NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_finalisation" timestamp with time zone,
	CONSTRAINT "payments_montant_positif" CHECK ("payments"."montant" > 0),
	CONSTRAINT "payments_quantite_positive" CHECK ("payments"."quantite" >= 1)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" serial PRIMARY KEY NOT NULL,
	"payment_id" integer NOT NULL,
	"montant" integer NOT NULL,
	"statut" varchar(25) DEFAULT 'EN_ATTENTE' NOT NULL,
	"motif" varchar(200) NOT NULL,
	"reference_fournisseur" varchar(100) NOT NULL,
	"raison_echec" varchar(200) DEFAULT '' NOT NULL,
	"regle_par" integer,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"date_finalisation" timestamp with time zone,
	CONSTRAINT "refunds_montant_positif" CHECK ("refunds"."montant" > 0)
);
--> statement-breakpoint
CREATE TABLE "status_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entite" varchar(15) NOT NULL,
	"entite_id" integer NOT NULL,
	"ancien_statut" varchar(25),
	"nouveau_statut" varchar(25) NOT NULL,
	"source" varchar(50) NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"date" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ticket_types" ADD CONSTRAINT "ticket_types_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_type_billet_id_ticket_types_id_fk" FOREIGN KEY ("type_billet_id") REFERENCES "public"."ticket_types"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_titulaire_id_users_id_fk" FOREIGN KEY ("titulaire_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_controleur_id_users_id_fk" FOREIGN KEY ("controleur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "momo_transactions" ADD CONSTRAINT "momo_transactions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_evenement_id_events_id_fk" FOREIGN KEY ("evenement_id") REFERENCES "public"."events"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_type_billet_id_ticket_types_id_fk" FOREIGN KEY ("type_billet_id") REFERENCES "public"."ticket_types"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_regle_par_users_id_fk" FOREIGN KEY ("regle_par") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_types_event_nom_uniq" ON "ticket_types" USING btree ("evenement_id","nom");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_code_uniq" ON "tickets" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_payment_rang_uniq" ON "tickets" USING btree ("payment_id","rang");--> statement-breakpoint
CREATE INDEX "tickets_titulaire_idx" ON "tickets" USING btree ("titulaire_id","date_emission");--> statement-breakpoint
CREATE INDEX "tickets_event_idx" ON "tickets" USING btree ("evenement_id","statut");--> statement-breakpoint
CREATE INDEX "momo_transactions_payment_idx" ON "momo_transactions" USING btree ("payment_id","date_reception");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_reference_uniq" ON "payments" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_fournisseur_ref_uniq" ON "payments" USING btree ("fournisseur","reference_fournisseur");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_idempotency_uniq" ON "payments" USING btree ("utilisateur_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "payments_user_idx" ON "payments" USING btree ("utilisateur_id","date_creation");--> statement-breakpoint
CREATE INDEX "payments_event_idx" ON "payments" USING btree ("evenement_id","statut");--> statement-breakpoint
CREATE INDEX "payments_holds_idx" ON "payments" USING btree ("type_billet_id","expire_le") WHERE "payments"."statut" = 'EN_ATTENTE';--> statement-breakpoint
CREATE INDEX "payments_reconcile_idx" ON "payments" USING btree ("prochaine_verification") WHERE "payments"."statut" IN ('EN_ATTENTE', 'EXPIRE');--> statement-breakpoint
CREATE INDEX "payments_date_idx" ON "payments" USING btree ("date_creation");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_payment_uniq" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_ref_uniq" ON "refunds" USING btree ("reference_fournisseur");--> statement-breakpoint
CREATE INDEX "status_history_entite_idx" ON "status_history" USING btree ("entite","entite_id","date");