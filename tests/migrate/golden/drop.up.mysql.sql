-- drop table post (its rows are lost)
DROP TABLE `post`;
-- drop column author.bio (its data is lost)
ALTER TABLE `author` DROP COLUMN `bio`;
