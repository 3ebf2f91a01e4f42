-- corm:check rows of "post" whose "status" is not one of draft, published, archived: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "status" IS NOT NULL AND "status" NOT IN ('draft', 'published', 'archived');
-- drop check on post.status (enum Status: draft published hidden)
ALTER TABLE "post" DROP CONSTRAINT "post_status_check";
-- add check on post.status (enum Status: draft published archived) (removes member hidden)
ALTER TABLE "post" ADD CONSTRAINT "post_status_check" CHECK ("status" IN ('draft', 'published', 'archived'));
