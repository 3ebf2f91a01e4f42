-- create table post
CREATE TABLE "post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id")
);
-- add column author.bio text
ALTER TABLE "author" ADD COLUMN "bio" TEXT;
