-- drop foreign key posts_author_id_fkey (posts.author_id -> author.id)
ALTER TABLE "posts" DROP CONSTRAINT "posts_author_id_fkey";
-- drop table author (its rows are lost)
DROP TABLE "author";
-- drop table posts (its rows are lost)
DROP TABLE "posts";
-- drop table badge (its rows are lost)
DROP TABLE "badge";
