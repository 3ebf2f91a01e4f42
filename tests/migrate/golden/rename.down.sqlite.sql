-- corm:foreign_keys=off
-- rename table writer to author
ALTER TABLE "writer" RENAME TO "author";
-- rebuild table author (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
DROP INDEX IF EXISTS "writer_full_name_idx";
-- corm:rebuild "author"
CREATE TABLE "corm_new_author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(100) NOT NULL
);
INSERT INTO "corm_new_author" ("id", "name")
SELECT "id", "full_name" FROM "author";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_author';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_author', seq FROM sqlite_sequence WHERE name = 'author';
DROP TABLE "author";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_author" RENAME TO "author";
PRAGMA legacy_alter_table=OFF;
CREATE INDEX "author_name_idx" ON "author" ("name");
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "points" INTEGER NOT NULL CONSTRAINT "points_i32_range" CHECK ("points" BETWEEN -2147483648 AND 2147483647),
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id")
);
INSERT INTO "corm_new_post" ("id", "author_id", "title", "points")
SELECT "id", "author_id", "headline", "score" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
