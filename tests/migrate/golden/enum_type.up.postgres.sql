-- corm:check rows of "task" whose "kind" is not one of bug, feature: enum Kind cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "kind" IS NOT NULL AND "kind" NOT IN ('bug', 'feature');
-- corm:check rows of "task" whose "label" is not one of low, high: enum Level cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "label" IS NOT NULL AND "label" NOT IN ('low', 'high');
-- drop check on task.gone (enum Level: low high)
ALTER TABLE "task" DROP CONSTRAINT "task_gone_check";
-- drop check on task.status (enum Status: draft published)
ALTER TABLE "task" DROP CONSTRAINT "task_status_check";
-- drop check on task.old (enum Level: low high)
ALTER TABLE "task" DROP CONSTRAINT "task_old_check";
-- add column task.level enum Level
ALTER TABLE "task" ADD COLUMN "level" VARCHAR(64);
-- alter column task.label: type string(20) -> enum Level new default
ALTER TABLE "task" ALTER COLUMN "label" DROP DEFAULT;
ALTER TABLE "task" ALTER COLUMN "label" TYPE VARCHAR(64) USING "label"::VARCHAR(64);
ALTER TABLE "task" ALTER COLUMN "label" SET DEFAULT 'high';
-- drop column task.gone (its data is lost)
ALTER TABLE "task" DROP COLUMN "gone";
-- add check on task.status (enum Status: draft published archived)
ALTER TABLE "task" ADD CONSTRAINT "task_status_check" CHECK ("status" IN ('draft', 'published', 'archived'));
-- add check on task.kind (enum Kind: bug feature) (existing values must be members)
ALTER TABLE "task" ADD CONSTRAINT "task_kind_check" CHECK ("kind" IN ('bug', 'feature'));
-- add check on task.label (enum Level: low high) (existing values must be members)
ALTER TABLE "task" ADD CONSTRAINT "task_label_check" CHECK ("label" IN ('low', 'high'));
-- add check on task.level (enum Level: low high)
ALTER TABLE "task" ADD CONSTRAINT "task_level_check" CHECK ("level" IN ('low', 'high'));
