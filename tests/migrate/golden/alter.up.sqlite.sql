-- corm:foreign_keys=off
-- corm:check rows of "post" whose "title" is longer than 100 characters: changing "title" from string(200) to string(100) would cut them; shorten or delete those rows
SELECT COUNT(*) FROM "post" WHERE length("title") > 100;
-- corm:check rows of "post" whose "views" is outside -2147483648 to 2147483647: changing "views" from i64 to i32 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "views" < -2147483648 OR "views" > 2147483647;
-- corm:check rows of "post" whose "summary" is NULL: making it NOT NULL without a default leaves them no value; set one, give the field a @default, or delete those rows
SELECT COUNT(*) FROM "post" WHERE "summary" IS NULL;
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
SELECT "id", "title", "views", "rating", "stars", COALESCE("body", ''), "summary", corm_decimal_add("price", '0', 12, 2) FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
