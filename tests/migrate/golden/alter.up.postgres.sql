-- corm:check rows of "post" whose "title" is longer than 100 characters: changing "title" from string(200) to string(100) would cut them; shorten or delete those rows
SELECT COUNT(*) FROM "post" WHERE char_length("title") > 100;
-- corm:check rows of "post" whose "views" is outside -2147483648 to 2147483647: changing "views" from i64 to i32 cannot hold them; change or delete those rows
SELECT COUNT(*) FROM "post" WHERE "views" < -2147483648 OR "views" > 2147483647;
-- corm:check rows of "post" whose "summary" is NULL: making it NOT NULL without a default leaves them no value; set one, give the field a @default, or delete those rows
SELECT COUNT(*) FROM "post" WHERE "summary" IS NULL;
-- alter column post.title: type string(200) -> string(100) (narrowing: values may not fit)
ALTER TABLE "post" ALTER COLUMN "title" TYPE VARCHAR(100) USING "title"::VARCHAR(100);
-- alter column post.views: type i64 -> i32 (narrowing: values may not fit) new default
ALTER TABLE "post" ALTER COLUMN "views" TYPE INTEGER USING "views"::INTEGER;
ALTER TABLE "post" ALTER COLUMN "views" SET DEFAULT 0;
-- alter column post.rating: type i32 -> i64
ALTER TABLE "post" ALTER COLUMN "rating" TYPE BIGINT USING "rating"::BIGINT;
-- alter column post.stars: type i16 -> i32
ALTER TABLE "post" ALTER COLUMN "stars" TYPE INTEGER USING "stars"::INTEGER;
-- alter column post.body: NOT NULL (NULLs become the default) new default
ALTER TABLE "post" ALTER COLUMN "body" SET DEFAULT '';
UPDATE "post" SET "body" = '' WHERE "body" IS NULL;
ALTER TABLE "post" ALTER COLUMN "body" SET NOT NULL;
-- alter column post.summary: NOT NULL without a default (fails on NULLs)
ALTER TABLE "post" ALTER COLUMN "summary" SET NOT NULL;
-- alter column post.price: type decimal(10,2) -> decimal(12,2) nullable
ALTER TABLE "post" ALTER COLUMN "price" TYPE NUMERIC(12,2) USING "price"::NUMERIC(12,2);
ALTER TABLE "post" ALTER COLUMN "price" DROP NOT NULL;
