ALTER TABLE "audit_logs" ADD COLUMN "par_personnel" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD COLUMN "type" varchar(20) DEFAULT 'API' NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD COLUMN "expire_le" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "audit_logs_personnel_idx" ON "audit_logs" USING btree ("date_action") WHERE "audit_logs"."par_personnel";--> statement-breakpoint
CREATE INDEX "audit_logs_cible_idx" ON "audit_logs" USING btree ("cible","date_action");--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_type" CHECK ("auth_tokens"."type" IN ('API', 'SESSION_PERSONNEL'));--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_session_expire" CHECK ("auth_tokens"."type" = 'API' OR "auth_tokens"."expire_le" IS NOT NULL);--> statement-breakpoint
-- Staff actions recorded before the column existed join the staff journal (and are no longer pruned).
UPDATE "audit_logs" SET "par_personnel" = true
  WHERE "action" IN ('event.approve', 'event.reject', 'staff_reactivation', 'staff_desactivation')
     OR ("action" = 'compte_supprime' AND "details" ? 'par_le_personnel');
