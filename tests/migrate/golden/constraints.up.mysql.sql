-- drop foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE `post` DROP FOREIGN KEY `post_author_id_fkey`;
-- drop unique author_email_key on author (email)
-- create unique author_name_key on author (name)
-- create index author_email_idx on author (email)
ALTER TABLE `author`
    DROP INDEX `author_email_key`,
    ADD CONSTRAINT `author_name_key` UNIQUE (`name`),
    ADD INDEX `author_email_idx` (`email`);
-- drop index post_title_idx on post (title)
-- add column post.editor_id i64
-- create unique post_author_id_title_key on post (author_id, title)
ALTER TABLE `post`
    DROP INDEX `post_title_idx`,
    ADD COLUMN `editor_id` BIGINT,
    ADD CONSTRAINT `post_author_id_title_key` UNIQUE (`author_id`, `title`);
-- add foreign key post_author_id_fkey (post.author_id -> author.id)
-- add foreign key post_editor_id_fkey (post.editor_id -> author.id)
ALTER TABLE `post`
    ADD CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE RESTRICT,
    ADD CONSTRAINT `post_editor_id_fkey` FOREIGN KEY (`editor_id`) REFERENCES `author` (`id`) ON DELETE SET NULL;
