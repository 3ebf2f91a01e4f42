-- drop foreign key post_author_id_fkey (post.author_id -> author.id)
ALTER TABLE "post" DROP CONSTRAINT "post_author_id_fkey";
-- drop foreign key post_tag_post_id_fkey (post_tag.post_id -> post.id)
ALTER TABLE "post_tag" DROP CONSTRAINT "post_tag_post_id_fkey";
-- drop foreign key post_tag_tag_id_fkey (post_tag.tag_id -> tag.id)
ALTER TABLE "post_tag" DROP CONSTRAINT "post_tag_tag_id_fkey";
-- drop foreign key comment_post_id_fkey (comment.post_id -> post.id)
ALTER TABLE "comment" DROP CONSTRAINT "comment_post_id_fkey";
-- drop table author (its rows are lost)
DROP TABLE "author";
-- drop table post (its rows are lost)
DROP TABLE "post";
-- drop table tag (its rows are lost)
DROP TABLE "tag";
-- drop table post_tag (its rows are lost)
DROP TABLE "post_tag";
-- drop table comment (its rows are lost)
DROP TABLE "comment";
