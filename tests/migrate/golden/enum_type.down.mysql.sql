-- drop check on task.kind (enum Kind: bug feature)
-- drop check on task.label (enum Level: low high)
-- add column task.gone enum Level
-- alter column task.label: type enum Level -> string(20) (narrowing: values may not fit) new default
-- drop column task.level (its data is lost)
-- add check on task.status (enum Status: draft published) (removes member archived)
-- add check on task.old (enum Level: low high) (existing values must be members)
ALTER TABLE `task`
    MODIFY COLUMN `kind` VARCHAR(64) NOT NULL,
    MODIFY COLUMN `label` VARCHAR(20) NOT NULL DEFAULT 'low',
    ADD COLUMN `gone` ENUM('high', 'low'),
    DROP COLUMN `level`,
    MODIFY COLUMN `status` ENUM('draft', 'published') NOT NULL DEFAULT 'draft',
    MODIFY COLUMN `old` ENUM('high', 'low');
