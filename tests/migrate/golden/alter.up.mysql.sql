-- alter column post.title: type string(200) -> string(100) (narrowing: values may not fit)
ALTER TABLE `post` MODIFY COLUMN `title` VARCHAR(100) NOT NULL;
-- alter column post.views: type i64 -> i32 (narrowing: values may not fit) new default
ALTER TABLE `post` MODIFY COLUMN `views` INT NOT NULL DEFAULT 0;
-- alter column post.rating: type i32 -> i64
ALTER TABLE `post` MODIFY COLUMN `rating` BIGINT NOT NULL;
-- alter column post.stars: type i16 -> i32
ALTER TABLE `post` MODIFY COLUMN `stars` INT NOT NULL;
-- alter column post.body: NOT NULL (NULLs become the default) new default
UPDATE `post` SET `body` = '' WHERE `body` IS NULL;
ALTER TABLE `post` MODIFY COLUMN `body` LONGTEXT NOT NULL DEFAULT '';
-- alter column post.summary: NOT NULL without a default (fails on NULLs)
ALTER TABLE `post` MODIFY COLUMN `summary` LONGTEXT NOT NULL;
-- alter column post.price: type decimal(10,2) -> decimal(12,2) nullable
ALTER TABLE `post` MODIFY COLUMN `price` DECIMAL(12,2);
