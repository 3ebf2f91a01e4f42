-- corm:foreign_keys=off
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "headline" VARCHAR(200)
);
INSERT INTO "corm_new_post" ("id")
SELECT "id" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
