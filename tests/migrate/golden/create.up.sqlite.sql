-- create table author
CREATE TABLE "author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "email" VARCHAR(255) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "karma" DOUBLE NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT TRUE,
    "joined_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rank" SMALLINT NOT NULL DEFAULT 0 CONSTRAINT "rank_i16_range" CHECK ("rank" BETWEEN -32768 AND 32767),
    CONSTRAINT "author_email_key" UNIQUE ("email")
);
CREATE INDEX "author_name_idx" ON "author" ("name");
-- create table posts
CREATE TABLE "posts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "note" VARCHAR(50) NOT NULL DEFAULT 'it''s',
    "status" VARCHAR(64) NOT NULL DEFAULT 'draft',
    "words" INTEGER CONSTRAINT "words_i32_range" CHECK ("words" BETWEEN -2147483648 AND 2147483647),
    CONSTRAINT "posts_author_id_title_key" UNIQUE ("author_id", "title"),
    CONSTRAINT "posts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE,
    CONSTRAINT "posts_status_check" CHECK ("status" IN ('draft', 'published', 'archived'))
);
-- create table badge
CREATE TABLE "badge" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT CONSTRAINT "id_i16_range" CHECK ("id" BETWEEN -32768 AND 32767),
    "label" VARCHAR(20) NOT NULL
);
