-- NULLs in post.body become its default, before the ALTER TABLE below
UPDATE `post` SET `body` = '' WHERE `body` IS NULL;
-- alter column post.title: type string(200) -> string(100) (narrowing: values may not fit)
-- alter column post.views: type i64 -> i32 (narrowing: values may not fit) new default
-- alter column post.rating: type i32 -> i64
-- alter column post.stars: type i16 -> i32
-- alter column post.body: NOT NULL (NULLs become the default) new default
-- alter column post.summary: NOT NULL without a default (fails on NULLs)
-- alter column post.price: type decimal(10,2) -> decimal(12,2) nullable
ALTER TABLE `post`
    MODIFY COLUMN `title` VARCHAR(100) NOT NULL,
    MODIFY COLUMN `views` INT NOT NULL DEFAULT 0,
    MODIFY COLUMN `rating` BIGINT NOT NULL,
    MODIFY COLUMN `stars` INT NOT NULL,
    MODIFY COLUMN `body` LONGTEXT NOT NULL DEFAULT '',
    MODIFY COLUMN `summary` LONGTEXT NOT NULL,
    MODIFY COLUMN `price` DECIMAL(12,2);
