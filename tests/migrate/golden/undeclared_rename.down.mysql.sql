-- add column post.title string(200)
-- drop column post.headline (its data is lost)
ALTER TABLE `post`
    ADD COLUMN `title` VARCHAR(200),
    DROP COLUMN `headline`;
