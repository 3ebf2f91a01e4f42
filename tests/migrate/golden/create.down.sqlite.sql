-- corm:foreign_keys=off
-- drop table author (its rows are lost)
DROP TABLE "author";
-- drop table posts (its rows are lost)
DROP TABLE "posts";
-- drop table badge (its rows are lost)
DROP TABLE "badge";
-- every foreign key must still hold
PRAGMA foreign_key_check;
