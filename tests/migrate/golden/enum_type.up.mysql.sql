-- drop check on task.old (enum Level: low high)
-- add column task.level enum Level
-- alter column task.label: type string(20) -> enum Level new default
-- drop column task.gone (its data is lost)
-- add check on task.status (enum Status: draft published archived)
-- add check on task.kind (enum Kind: bug feature) (existing values must be members)
-- add check on task.label (enum Level: low high) (existing values must be members)
ALTER TABLE `task`
    MODIFY COLUMN `old` VARCHAR(64),
    ADD COLUMN `level` ENUM('high', 'low'),
    MODIFY COLUMN `label` ENUM('high', 'low') NOT NULL DEFAULT 'high',
    DROP COLUMN `gone`,
    MODIFY COLUMN `status` ENUM('archived', 'draft', 'published') NOT NULL DEFAULT 'draft',
    MODIFY COLUMN `kind` ENUM('bug', 'feature') NOT NULL;
