-- drop foreign key post_author_id_fkey (post.author_id -> author.id)
-- drop foreign key post_editor_id_fkey (post.editor_id -> author.id)
ALTER TABLE `post`
    DROP FOREIGN KEY `post_author_id_fkey`,
    DROP FOREIGN KEY `post_editor_id_fkey`;
-- drop index author_email_idx on author (email)
-- drop unique author_name_key on author (name)
-- create unique author_email_key on author (email)
ALTER TABLE `author`
    DROP INDEX `author_email_idx`,
    DROP INDEX `author_name_key`,
    ADD CONSTRAINT `author_email_key` UNIQUE (`email`);
-- drop unique post_author_id_title_key on post (author_id, title)
-- drop column post.editor_id (its data is lost)
-- create index post_title_idx on post (title)
ALTER TABLE `post`
    DROP INDEX `post_author_id_title_key`,
    DROP COLUMN `editor_id`,
    ADD INDEX `post_title_idx` (`title`);
-- add foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE `post` ADD CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE CASCADE;
