-- rename table author to writer
ALTER TABLE `author` RENAME TO `writer`;
-- drop index author_name_idx on author (name)
-- rename column writer.name to full_name
-- add column writer.age i16
-- create index writer_full_name_idx on writer (full_name)
ALTER TABLE `writer`
    DROP INDEX `author_name_idx`,
    RENAME COLUMN `name` TO `full_name`,
    ADD COLUMN `age` SMALLINT,
    ADD INDEX `writer_full_name_idx` (`full_name`);
-- rename column post.title to headline
-- rename column post.points to score
ALTER TABLE `post`
    RENAME COLUMN `title` TO `headline`,
    RENAME COLUMN `points` TO `score`;
