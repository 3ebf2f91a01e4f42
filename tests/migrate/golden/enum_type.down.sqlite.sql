-- corm:foreign_keys=off
-- corm:check rows of "task" whose "status" is not one of draft, published: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "status" IS NOT NULL AND "status" NOT IN ('draft', 'published');
-- corm:check rows of "task" whose "old" is not one of low, high: enum Level cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "old" IS NOT NULL AND "old" NOT IN ('low', 'high');
-- rebuild table task (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "task"
CREATE TABLE "corm_new_task" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "status" VARCHAR(64) NOT NULL DEFAULT 'draft',
    "kind" VARCHAR(64) NOT NULL,
    "old" VARCHAR(64),
    "gone" VARCHAR(64),
    "label" VARCHAR(20) NOT NULL DEFAULT 'low',
    CONSTRAINT "task_status_check" CHECK ("status" IN ('draft', 'published')),
    CONSTRAINT "task_old_check" CHECK ("old" IN ('low', 'high')),
    CONSTRAINT "task_gone_check" CHECK ("gone" IN ('low', 'high'))
);
INSERT INTO "corm_new_task" ("id", "status", "kind", "old", "label")
SELECT "id", "status", "kind", "old", "label" FROM "task";
DELETE FROM sqlite_sequence WHERE name = 'corm_new_task';
INSERT INTO sqlite_sequence (name, seq) SELECT 'corm_new_task', seq FROM sqlite_sequence WHERE name = 'task';
DROP TABLE "task";
PRAGMA legacy_alter_table=ON;
ALTER TABLE "corm_new_task" RENAME TO "task";
PRAGMA legacy_alter_table=OFF;
-- every foreign key must still hold
PRAGMA foreign_key_check;
