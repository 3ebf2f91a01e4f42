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
