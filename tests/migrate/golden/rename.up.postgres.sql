-- drop index author_name_idx on author (name)
DROP INDEX "author_name_idx";
-- rename table author to writer
ALTER TABLE "author" RENAME TO "writer";
ALTER TABLE "writer" RENAME CONSTRAINT "author_pkey" TO "writer_pkey";
-- rename column writer.name to full_name
ALTER TABLE "writer" RENAME COLUMN "name" TO "full_name";
-- rename column post.title to headline
ALTER TABLE "post" RENAME COLUMN "title" TO "headline";
-- rename column post.points to score
ALTER TABLE "post" RENAME COLUMN "points" TO "score";
-- add column writer.age i16
ALTER TABLE "writer" ADD COLUMN "age" SMALLINT;
-- create index writer_full_name_idx on writer (full_name)
CREATE INDEX "writer_full_name_idx" ON "writer" ("full_name");
