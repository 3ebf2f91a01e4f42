-- corm:foreign_keys=off
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "title" VARCHAR(200)
);
INSERT INTO "corm_new_post" ("id")
SELECT "id" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
ALTER TABLE "corm_new_post" RENAME TO "post";
-- every foreign key must still hold
PRAGMA foreign_key_check;
