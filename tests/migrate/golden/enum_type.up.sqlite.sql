-- corm:foreign_keys=off
-- corm:check rows of "task" whose "kind" is not one of bug, feature: enum Kind cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "kind" IS NOT NULL AND "kind" NOT IN ('bug', 'feature');
-- corm:check rows of "task" whose "label" is not one of low, high: enum Level cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "label" IS NOT NULL AND "label" NOT IN ('low', 'high');
-- rebuild table task (SQLite cannot ALTER these changes); every row is copied, its triggers and other indexes are kept
-- corm:rebuild "task"
CREATE TABLE "corm_new_task" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "status" VARCHAR(64) NOT NULL DEFAULT 'draft',
    "kind" VARCHAR(64) NOT NULL,
    "old" VARCHAR(64),
    "label" VARCHAR(64) NOT NULL DEFAULT 'high',
    "level" VARCHAR(64),
    CONSTRAINT "task_status_check" CHECK ("status" IN ('draft', 'published', 'archived')),
    CONSTRAINT "task_kind_check" CHECK ("kind" IN ('bug', 'feature')),
    CONSTRAINT "task_label_check" CHECK ("label" IN ('low', 'high')),
    CONSTRAINT "task_level_check" CHECK ("level" IN ('low', 'high'))
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
