-- add column post.headline string(200)
-- drop column post.title (its data is lost)
ALTER TABLE `post`
    ADD COLUMN `headline` VARCHAR(200),
    DROP COLUMN `title`;
