-- rename table writer to author
ALTER TABLE `writer` RENAME TO `author`;
-- drop index writer_full_name_idx on writer (full_name)
-- rename column author.full_name to name
-- drop column writer.age (its data is lost)
-- create index author_name_idx on author (name)
ALTER TABLE `author`
    DROP INDEX `writer_full_name_idx`,
    RENAME COLUMN `full_name` TO `name`,
    DROP COLUMN `age`,
    ADD INDEX `author_name_idx` (`name`);
-- rename column post.headline to title
-- rename column post.score to points
ALTER TABLE `post`
    RENAME COLUMN `headline` TO `title`,
    RENAME COLUMN `score` TO `points`;
