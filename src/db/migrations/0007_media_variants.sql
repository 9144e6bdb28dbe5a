ALTER TABLE "users" ADD COLUMN "photo_miniature" varchar(255) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "image_miniature" varchar(255) DEFAULT '' NOT NULL;