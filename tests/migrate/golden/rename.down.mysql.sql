-- drop index writer_full_name_idx on writer (full_name)
DROP INDEX `writer_full_name_idx` ON `writer`;
-- rename table writer to author
ALTER TABLE `writer` RENAME TO `author`;
-- rename column author.full_name to name
ALTER TABLE `author` RENAME COLUMN `full_name` TO `name`;
-- rename column post.headline to title
ALTER TABLE `post` RENAME COLUMN `headline` TO `title`;
-- rename column post.score to points
ALTER TABLE `post` RENAME COLUMN `score` TO `points`;
-- drop column writer.age (its data is lost)
ALTER TABLE `author` DROP COLUMN `age`;
-- create index author_name_idx on author (name)
CREATE INDEX `author_name_idx` ON `author` (`name`);
