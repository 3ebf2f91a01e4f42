-- corm:check rows of "post" whose "rating" is outside -2147483648 to 2147483647: changing "rating" from i64 to i32 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "rating" < -2147483648 OR "rating" > 2147483647;
-- corm:check rows of "post" whose "stars" is outside -32768 to 32767: changing "stars" from i32 to i16 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "stars" < -32768 OR "stars" > 32767;
-- corm:check rows of "post" whose "price" has more than 8 digits before the point: changing "price" from decimal(12,2) to decimal(10,2) would refuse them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "price" <= -100000000 OR "price" >= 100000000;
-- corm:check rows of "post" whose "price" is NULL: making it NOT NULL without a default leaves them no value; set one, give the field a @default, or delete those rows
SELECT COUNT(*) FROM "post" WHERE "price" IS NULL;
-- alter column post.title: type string(100) -> string(200)
ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(200) USING "title"::VARCHAR(200);
-- alter column post.views: type i32 -> i64 drop default
ALTER TABLE "post" ALTER COLUMN "views" DROP DEFAULT;
ALTER TABLE "post" ALTER COLUMN "views" TYPE BIGINT USING "views"::BIGINT;
-- alter column post.rating: type i64 -> i32 (narrowing: values may not fit)
ALTER TABLE "post" ALTER COLUMN "rating" TYPE INTEGER USING "rating"::INTEGER;
-- alter column post.stars: type i32 -> i16 (narrowing: values may not fit)
ALTER TABLE "post" ALTER COLUMN "stars" TYPE SMALLINT USING "stars"::SMALLINT;
-- alter column post.body: nullable drop default
ALTER TABLE "post" ALTER COLUMN "body" DROP DEFAULT;
ALTER TABLE "post" ALTER COLUMN "body" DROP NOT NULL;
-- alter column post.summary: nullable
ALTER TABLE "post" ALTER COLUMN "summary" DROP NOT NULL;
-- alter column post.price: type decimal(12,2) -> decimal(10,2) (narrowing: values may not fit) NOT NULL without a default (fails on NULLs)
ALTER TABLE "post" ALTER COLUMN "price" TYPE NUMERIC(10,2) USING "price"::NUMERIC(10,2);
ALTER TABLE "post" ALTER COLUMN "price" SET NOT NULL;
