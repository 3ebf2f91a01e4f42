-- corm:foreign_keys=off
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "title" VARCHAR(200) NOT NULL,
    "views" BIGINT NOT NULL,
    "rating" INTEGER NOT NULL CONSTRAINT "rating_i32_range" CHECK ("rating" BETWEEN -2147483648 AND 2147483647),
    "stars" SMALLINT NOT NULL CONSTRAINT "stars_i16_range" CHECK ("stars" BETWEEN -32768 AND 32767),
    "body" TEXT,
    "summary" TEXT,
    "price" DECIMAL_TEXT(10,2) NOT NULL
);
INSERT INTO "corm_new_post" ("id", "title", "views", "rating", "stars", "body", "summary", "price")
SELECT "id", "title", "views", "rating", "stars", "body", "summary", "price" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
