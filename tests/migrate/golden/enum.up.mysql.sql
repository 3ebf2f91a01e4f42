-- corm:check rows of "post" whose "status" is not one of draft, published, hidden: enum Status cannot hold them; change or delete those rows
SELECT COUNT(*) FROM `post` WHERE `status` IS NOT NULL AND `status` NOT IN ('draft', 'published', 'hidden');
-- add check on post.status (enum Status: draft published hidden) (removes member archived)
ALTER TABLE `post` MODIFY COLUMN `status` ENUM('draft', 'hidden', 'published') NOT NULL DEFAULT 'draft';
