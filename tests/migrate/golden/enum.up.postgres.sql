-- drop check on post.status (enum Status: draft published archived)
ALTER TABLE "post" DROP CONSTRAINT "post_status_check";
-- add check on post.status (enum Status: draft published hidden) (removes member archived)
ALTER TABLE "post" ADD CONSTRAINT "post_status_check" CHECK ("status" IN ('draft', 'published', 'hidden'));
