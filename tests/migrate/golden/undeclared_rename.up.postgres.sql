-- add column post.headline string(200)
ALTER TABLE "post" ADD COLUMN "headline" VARCHAR(200);
-- drop column post.title (its data is lost)
ALTER TABLE "post" DROP COLUMN "title";
