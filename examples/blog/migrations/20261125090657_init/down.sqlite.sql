-- corm:foreign_keys=off
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
-- every foreign key must still hold
PRAGMA foreign_key_check;
