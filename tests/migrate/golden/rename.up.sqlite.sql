-- corm:foreign_keys=off
-- drop index author_name_idx on author (name)
DROP INDEX "author_name_idx";
-- rename table author to writer
ALTER TABLE "author" RENAME TO "writer";
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "headline" VARCHAR(200) NOT NULL,
    "score" INTEGER NOT NULL CONSTRAINT "score_i32_range" CHECK ("score" BETWEEN -2147483648 AND 2147483647),
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "writer" ("id")
);
INSERT INTO "corm_new_post" ("id", "author_id", "headline", "score")
SELECT "id", "author_id", "title", "points" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- rename column writer.name to full_name
ALTER TABLE "writer" RENAME COLUMN "name" TO "full_name";
-- add column writer.age i16
ALTER TABLE "writer" ADD COLUMN "age" SMALLINT CONSTRAINT "age_i16_range" CHECK ("age" BETWEEN -32768 AND 32767);
-- create index writer_full_name_idx on writer (full_name)
CREATE INDEX "writer_full_name_idx" ON "writer" ("full_name");
-- every foreign key must still hold
PRAGMA foreign_key_check;
