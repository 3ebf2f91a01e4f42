-- add check on post.status (enum Status: draft published hidden) (removes member archived)
ALTER TABLE `post` MODIFY COLUMN `status` ENUM('draft', 'hidden', 'published') NOT NULL DEFAULT 'draft';
