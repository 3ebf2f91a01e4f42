-- alter column post.title: type string(100) -> string(200)
ALTER TABLE `post` MODIFY COLUMN `title` VARCHAR(200) NOT NULL;
-- alter column post.views: type i32 -> i64 drop default
ALTER TABLE `post` MODIFY COLUMN `views` BIGINT NOT NULL;
-- alter column post.rating: type i64 -> i32 (narrowing: values may not fit)
ALTER TABLE `post` MODIFY COLUMN `rating` INT NOT NULL;
-- alter column post.stars: type i32 -> i16 (narrowing: values may not fit)
ALTER TABLE `post` MODIFY COLUMN `stars` SMALLINT NOT NULL;
-- alter column post.body: nullable drop default
ALTER TABLE `post` MODIFY COLUMN `body` LONGTEXT;
-- alter column post.summary: nullable
ALTER TABLE `post` MODIFY COLUMN `summary` LONGTEXT;
-- alter column post.price: type decimal(12,2) -> decimal(10,2) (narrowing: values may not fit) NOT NULL without a default (fails on NULLs)
ALTER TABLE `post` MODIFY COLUMN `price` DECIMAL(10,2) NOT NULL;
