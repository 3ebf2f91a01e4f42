-- corm:check rows of "task" whose "status" is not one of draft, published: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "status" IS NOT NULL AND "status" NOT IN ('draft', 'published');
-- corm:check rows of "task" whose "old" is not one of low, high: enum Level cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "task" WHERE "old" IS NOT NULL AND "old" NOT IN ('low', 'high');
-- drop check on task.level (enum Level: low high)
ALTER TABLE "task" DROP CONSTRAINT "task_level_check";
-- drop check on task.status (enum Status: draft published archived)
ALTER TABLE "task" DROP CONSTRAINT "task_status_check";
-- drop check on task.kind (enum Kind: bug feature)
ALTER TABLE "task" DROP CONSTRAINT "task_kind_check";
-- drop check on task.label (enum Level: low high)
ALTER TABLE "task" DROP CONSTRAINT "task_label_check";
-- add column task.gone enum Level
ALTER TABLE "task" ADD COLUMN "gone" VARCHAR(64);
-- alter column task.label: type enum Level -> string(20) (narrowing: values may not fit) new default
ALTER TABLE "task" ALTER COLUMN "label" DROP DEFAULT;
ALTER TABLE "task" ALTER COLUMN "label" TYPE VARCHAR(20) USING "label"::VARCHAR(20);
ALTER TABLE "task" ALTER COLUMN "label" SET DEFAULT 'low';
-- drop column task.level (its data is lost)
ALTER TABLE "task" DROP COLUMN "level";
-- add check on task.status (enum Status: draft published) (removes member archived)
ALTER TABLE "task" ADD CONSTRAINT "task_status_check" CHECK ("status" IN ('draft', 'published'));
-- add check on task.old (enum Level: low high) (existing values must be members)
ALTER TABLE "task" ADD CONSTRAINT "task_old_check" CHECK ("old" IN ('low', 'high'));
-- add check on task.gone (enum Level: low high)
ALTER TABLE "task" ADD CONSTRAINT "task_gone_check" CHECK ("gone" IN ('low', 'high'));
