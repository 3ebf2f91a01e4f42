-- corm:foreign_keys=off
-- drop table post (its rows are lost)
DROP TABLE "post";
-- rebuild table author (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "author"
CREATE TABLE "corm_new_author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(100) NOT NULL
);
INSERT INTO "corm_new_author" ("id", "name")
SELECT "id", "name" FROM "author";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_author';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_author', seq FROM sqlite_sequence WHERE name = 'author';
DROP TABLE "author";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_author" RENAME TO "author";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
