-- corm:foreign_keys=off
-- corm:check rows of "post" whose "status" is not one of draft, published, hidden: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "status" IS NOT NULL AND "status" NOT IN ('draft', 'published', 'hidden');
-- rebuild table post (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "post"
CREATE TABLE "corm_new_post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "status" VARCHAR(64) NOT NULL DEFAULT 'draft',
    CONSTRAINT "post_status_check" CHECK ("status" IN ('draft', 'published', 'hidden'))
);
INSERT INTO "corm_new_post" ("id", "status")
SELECT "id", "status" FROM "post";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_post';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_post', seq FROM sqlite_sequence WHERE name = 'post';
DROP TABLE "post";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_post" RENAME TO "post";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
