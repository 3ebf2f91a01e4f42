-- drop foreign key author_favorite_id_fkey (author.favorite_id -> post.id)
ALTER TABLE "author" DROP CONSTRAINT "author_favorite_id_fkey";
-- drop foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE "post" DROP CONSTRAINT "post_author_id_fkey";
-- drop table author (its rows are lost)
DROP TABLE "author";
-- drop table post (its rows are lost)
DROP TABLE "post";
