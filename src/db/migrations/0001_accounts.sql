CREATE TABLE "account_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"purpose" varchar(32) NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"email" varchar(254) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_tokens_purpose" CHECK ("account_tokens"."purpose" IN ('password_reset', 'email_verification'))
);
--> statement-breakpoint
CREATE TABLE "phone_verification_codes" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"telephone" varchar(20) NOT NULL,
	"code_hash" varchar(64) NOT NULL,
	"tentatives" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phone_codes_tentatives" CHECK ("phone_verification_codes"."tentatives" >= 0)
);
--> statement-breakpoint
CREATE TABLE "social_identities" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"provider" varchar(20) NOT NULL,
	"subject" varchar(255) NOT NULL,
	"email" varchar(254) DEFAULT '' NOT NULL,
	"date_creation" timestamp with time zone DEFAULT now() NOT NULL,
	"derniere_connexion" timestamp with time zone,
	CONSTRAINT "social_identities_provider" CHECK ("social_identities"."provider" IN ('google', 'facebook'))
);
--> statement-breakpoint
ALTER TABLE "login_attempts" ADD COLUMN "user_agent" varchar(255) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "date_suppression" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_verification_codes" ADD CONSTRAINT "phone_verification_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social_identities" ADD CONSTRAINT "social_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_tokens_hash_uniq" ON "account_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "account_tokens_user_purpose_idx" ON "account_tokens" USING btree ("user_id","purpose");--> statement-breakpoint
CREATE INDEX "phone_codes_user_idx" ON "phone_verification_codes" USING btree ("user_id","date_creation");--> statement-breakpoint
CREATE UNIQUE INDEX "social_identities_provider_subject_uniq" ON "social_identities" USING btree ("provider","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "social_identities_user_provider_uniq" ON "social_identities" USING btree ("user_id","provider");--> statement-breakpoint
CREATE INDEX "login_attempts_login_date_idx" ON "login_attempts" USING btree ("login","date_tentative");