-- corm:check rows of "task" whose "status" is not one of draft, published: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM `task` WHERE `status` IS NOT NULL AND `status` NOT IN ('draft', 'published');
-- corm:check rows of "task" whose "old" is not one of low, high: enum Level cannot hold them; change or delete those rows
SELECT COUNT(*) FROM `task` WHERE `old` IS NOT NULL AND `old` NOT IN ('low', 'high');
-- drop check on task.kind (enum Kind: bug feature)
ALTER TABLE `task` MODIFY COLUMN `kind` VARCHAR(64) NOT NULL;
-- drop check on task.label (enum Level: low high)
ALTER TABLE `task` MODIFY COLUMN `label` VARCHAR(64) NOT NULL DEFAULT 'high';
-- add column task.gone enum Level
ALTER TABLE `task` ADD COLUMN `gone` ENUM('high', 'low');
-- alter column task.label: type enum Level -> string(20) (narrowing: values may not fit) new default
ALTER TABLE `task` MODIFY COLUMN `label` VARCHAR(20) NOT NULL DEFAULT 'low';
-- drop column task.level (its data is lost)
ALTER TABLE `task` DROP COLUMN `level`;
-- add check on task.status (enum Status: draft published) (removes member archived)
ALTER TABLE `task` MODIFY COLUMN `status` ENUM('draft', 'published') NOT NULL DEFAULT 'draft';
-- add check on task.old (enum Level: low high) (existing values must be members)
ALTER TABLE `task` MODIFY COLUMN `old` ENUM('high', 'low');
