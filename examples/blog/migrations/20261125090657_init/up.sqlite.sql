-- create table author
CREATE TABLE "author" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "email" VARCHAR(255) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "bio" TEXT,
    "joined_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "author_email_key" UNIQUE ("email")
);
-- create table post
CREATE TABLE "post" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" BIGINT NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "status" VARCHAR(64) NOT NULL DEFAULT 'draft',
    "published_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "post_author_id_title_key" UNIQUE ("author_id", "title"),
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE,
    CONSTRAINT "post_status_check" CHECK ("status" IN ('draft', 'published', 'archived'))
);
CREATE INDEX "post_status_idx" ON "post" ("status");
-- create table tag
CREATE TABLE "tag" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(50) NOT NULL,
    CONSTRAINT "tag_name_key" UNIQUE ("name")
);
-- create table post_tag
CREATE TABLE "post_tag" (
    "post_id" BIGINT NOT NULL,
    "tag_id" BIGINT NOT NULL,
    CONSTRAINT "post_tag_pkey" PRIMARY KEY ("post_id", "tag_id"),
    CONSTRAINT "post_tag_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "post" ("id") ON DELETE CASCADE,
    CONSTRAINT "post_tag_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tag" ("id") ON DELETE CASCADE
);
CREATE INDEX "post_tag_tag_id_idx" ON "post_tag" ("tag_id");
-- create table comment
CREATE TABLE "comment" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "post_id" BIGINT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "comment_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "post" ("id") ON DELETE CASCADE
);
