-- alter column post.title: type string(100) -> string(200)
-- alter column post.views: type i32 -> i64 drop default
-- alter column post.rating: type i64 -> i32 (narrowing: values may not fit)
-- alter column post.stars: type i32 -> i16 (narrowing: values may not fit)
-- alter column post.body: nullable drop default
-- alter column post.summary: nullable
-- alter column post.price: type decimal(12,2) -> decimal(10,2) (narrowing: values may not fit) NOT NULL without a default (fails on NULLs)
ALTER TABLE `post`
    MODIFY COLUMN `title` VARCHAR(200) NOT NULL,
    MODIFY COLUMN `views` BIGINT NOT NULL,
    MODIFY COLUMN `rating` INT NOT NULL,
    MODIFY COLUMN `stars` SMALLINT NOT NULL,
    MODIFY COLUMN `body` LONGTEXT,
    MODIFY COLUMN `summary` LONGTEXT,
    MODIFY COLUMN `price` DECIMAL(10,2) NOT NULL;
