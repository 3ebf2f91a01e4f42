-- corm:check rows of "post" whose "rating" is outside -2147483648 to 2147483647: changing "rating" from i64 to i32 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM `post` WHERE `rating` < -2147483648 OR `rating` > 2147483647;
-- corm:check rows of "post" whose "stars" is outside -32768 to 32767: changing "stars" from i32 to i16 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM `post` WHERE `stars` < -32768 OR `stars` > 32767;
-- corm:check rows of "post" whose "price" has more than 8 digits before the point: changing "price" from decimal(12,2) to decimal(10,2) would refuse them; change or delete those rows
SELECT COUNT(*) FROM `post` WHERE `price` <= -100000000 OR `price` >= 100000000;
-- corm:check rows of "post" whose "price" is NULL: making it NOT NULL without a default leaves them no value; set one, give the field a @default, or delete those rows
SELECT COUNT(*) FROM `post` WHERE `price` IS NULL;
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
