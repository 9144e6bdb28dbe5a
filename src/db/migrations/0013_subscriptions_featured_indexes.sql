CREATE INDEX "subscriptions_debut_actif_idx" ON "subscriptions" USING btree ("date_debut") WHERE "subscriptions"."statut" = 'ACTIF';--> statement-breakpoint
CREATE INDEX "subscriptions_grace_actif_idx" ON "subscriptions" USING btree (coalesce("en_grace_jusqu_au", "date_fin")) WHERE "subscriptions"."statut" = 'ACTIF';--> statement-breakpoint
-- The renewal reminder gains an SMS (issue 14): a template row saved before, with no SMS text, gets the seeded one.
UPDATE "notification_templates" SET "contenu_sms" = 'SpotVibe: votre forfait {{ plan }} {{ si en_grace }}a pris fin le {{ date_fin }}, actif jusqu''au {{ grace_jusqu_au }}{{ sinon }}expire le {{ date_fin }}{{ fin }}. Renouvelez-le ({{ prix }}) dans l''app.' WHERE "type_notification" = 'ABONNEMENT_EXPIRE_BIENTOT' AND "contenu_sms" = '';
