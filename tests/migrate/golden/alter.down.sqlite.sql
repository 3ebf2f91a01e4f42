-- corm:foreign_keys=off
-- corm:check rows of "post" whose "rating" is outside -2147483648 to 2147483647: changing "rating" from i64 to i32 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "rating" < -2147483648 OR "rating" > 2147483647;
-- corm:check rows of "post" whose "stars" is outside -32768 to 32767: changing "stars" from i32 to i16 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "stars" < -32768 OR "stars" > 32767;
-- corm:check rows of "post" whose "price" has more than 8 digits before the point: changing "price" from decimal(12,2) to decimal(10,2) would refuse them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE (length(ltrim(substr("price", 1, instr("price" || '.', '.') - 1), '+-0')) > 8 OR "price" GLOB '*[^0-9.+-]*' OR NOT "price" GLOB '*[0-9]*');
-- corm:check rows of "post" whose "price" is NULL: making it NOT NULL without a default leaves them no value; set one, give the field a @default, or delete those rows
SELECT COUNT(*) FROM "post" WHERE "price" IS NULL;
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
SELECT "id", "title", "views", "rating", "stars", "body", "summary", corm_decimal_add("price", '0', 10, 2) FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
