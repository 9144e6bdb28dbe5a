CREATE TABLE "notification_stream_tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"hash" varchar(64) NOT NULL,
	"utilisateur_id" integer NOT NULL,
	"auth_token_id" integer,
	"expire_le" timestamp with time zone NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" DROP CONSTRAINT "notification_deliveries_statut";--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "date_remise" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_stream_tickets" ADD CONSTRAINT "notification_stream_tickets_utilisateur_id_users_id_fk" FOREIGN KEY ("utilisateur_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_stream_tickets" ADD CONSTRAINT "notification_stream_tickets_auth_token_id_auth_tokens_id_fk" FOREIGN KEY ("auth_token_id") REFERENCES "public"."auth_tokens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_stream_tickets_hash_uniq" ON "notification_stream_tickets" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "notification_stream_tickets_expire_idx" ON "notification_stream_tickets" USING btree ("expire_le");--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_statut" CHECK ("notification_deliveries"."statut" IN ('EN_ATTENTE', 'EN_COURS', 'ENVOYEE', 'DELIVRE', 'ECHEC', 'IGNOREE'));