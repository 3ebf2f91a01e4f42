-- add check on post.status (enum Status: draft published archived) (removes member hidden)
ALTER TABLE `post` MODIFY COLUMN `status` ENUM('archived', 'draft', 'published') NOT NULL DEFAULT 'draft';
