-- create table author
CREATE TABLE "author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(100) NOT NULL,
    "favorite_id" BIGINT,
    CONSTRAINT "author_favorite_id_fkey" FOREIGN KEY ("favorite_id") REFERENCES "post" ("id") ON DELETE SET NULL
);
-- create table post
CREATE TABLE "post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE
);
