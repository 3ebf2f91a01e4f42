-- corm:foreign_keys=off
-- corm:check groups of rows of "author" that share their (email): the new unique constraint would refuse them; remove the duplicates
SELECT COUNT(*) FROM (SELECT 1 AS one FROM "author" WHERE "email" IS NOT NULL GROUP BY "email" HAVING COUNT(*) > 1) AS corm_dup;
-- rebuild table author (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
DROP INDEX IF EXISTS "author_email_idx";
-- corm:rebuild "author"
CREATE TABLE "corm_new_author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "email" VARCHAR(200) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    CONSTRAINT "author_email_key" UNIQUE ("email")
);
INSERT INTO "corm_new_author" ("id", "email", "name")
SELECT "id", "email", "name" FROM "author";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_author';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_author', seq FROM sqlite_sequence WHERE name = 'author';
DROP TABLE "author";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_author" RENAME TO "author";
PRAGMA legacy_alter_table=OFF;
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE
);
INSERT INTO "corm_new_post" ("id", "author_id", "title")
SELECT "id", "author_id", "title" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
CREATE INDEX "post_title_idx" ON "post" ("title");
-- every foreign key must still hold
PRAGMA foreign_key_check;
