-- corm:foreign_keys=off
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "title" VARCHAR(100) NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0 CONSTRAINT "views_i32_range" CHECK ("views" BETWEEN -2147483648 AND 2147483647),
    "rating" BIGINT NOT NULL,
    "stars" INTEGER NOT NULL CONSTRAINT "stars_i32_range" CHECK ("stars" BETWEEN -2147483648 AND 2147483647),
    "body" TEXT NOT NULL DEFAULT '',
    "summary" TEXT NOT NULL,
    "price" DECIMAL_TEXT(12,2)
);
INSERT INTO "corm_new_post" ("id", "title", "views", "rating", "stars", "body", "summary", "price")
SELECT "id", "title", "views", "rating", "stars", COALESCE("body", ''), "summary", "price" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
