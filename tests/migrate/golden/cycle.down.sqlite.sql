-- corm:foreign_keys=off
-- drop table author (its rows are lost)
DROP TABLE "author";
-- drop table post (its rows are lost)
DROP TABLE "post";
-- every foreign key must still hold
PRAGMA foreign_key_check;
