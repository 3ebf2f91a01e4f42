-- corm:check groups of rows of "author" that share their (email): the new unique constraint would refuse them; remove the duplicates
SELECT COUNT(*) FROM (SELECT 1 AS one FROM "author" WHERE "email" IS NOT NULL GROUP BY "email" HAVING COUNT(*) > 1) AS corm_dup;
-- drop foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE "post" DROP CONSTRAINT "post_author_id_fkey";
-- drop foreign key post_editor_id_fkey (post.editor_id -> author.id)
ALTER TABLE "post" DROP CONSTRAINT "post_editor_id_fkey";
-- drop index author_email_idx on author (email)
DROP INDEX "author_email_idx";
-- drop unique author_name_key on author (name)
ALTER TABLE "author" DROP CONSTRAINT "author_name_key";
-- drop unique post_author_id_title_key on post (author_id, title)
ALTER TABLE "post" DROP CONSTRAINT "post_author_id_title_key";
-- drop column post.editor_id (its data is lost)
ALTER TABLE "post" DROP COLUMN "editor_id";
-- create unique author_email_key on author (email)
ALTER TABLE "author" ADD CONSTRAINT "author_email_key" UNIQUE ("email");
-- create index post_title_idx on post (title)
CREATE INDEX "post_title_idx" ON "post" ("title");
-- add foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE "post" ADD CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE;
