-- create table author
CREATE TABLE `author` (
    `id` BIGINT AUTO_INCREMENT,
    `email` VARCHAR(255) NOT NULL,
    `name` VARCHAR(100) NOT NULL,
    `bio` LONGTEXT,
    `joined_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT `author_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `author_email_key` UNIQUE (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- create table post
CREATE TABLE `post` (
    `id` BIGINT AUTO_INCREMENT,
    `author_id` BIGINT NOT NULL,
    `title` VARCHAR(200) NOT NULL,
    `body` LONGTEXT NOT NULL,
    `status` ENUM('archived', 'draft', 'published') NOT NULL DEFAULT 'draft',
    `published_at` DATETIME(6),
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT `post_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `post_author_id_title_key` UNIQUE (`author_id`, `title`),
    CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `post_status_idx` ON `post` (`status`);
-- create table tag
CREATE TABLE `tag` (
    `id` BIGINT AUTO_INCREMENT,
    `name` VARCHAR(50) NOT NULL,
    CONSTRAINT `tag_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `tag_name_key` UNIQUE (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- create table post_tag
CREATE TABLE `post_tag` (
    `post_id` BIGINT NOT NULL,
    `tag_id` BIGINT NOT NULL,
    CONSTRAINT `post_tag_pkey` PRIMARY KEY (`post_id`, `tag_id`),
    CONSTRAINT `post_tag_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE,
    CONSTRAINT `post_tag_tag_id_fkey` FOREIGN KEY (`tag_id`) REFERENCES `tag` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `post_tag_tag_id_idx` ON `post_tag` (`tag_id`);
-- create table comment
CREATE TABLE `comment` (
    `id` BIGINT AUTO_INCREMENT,
    `post_id` BIGINT NOT NULL,
    `name` VARCHAR(100) NOT NULL,
    `body` LONGTEXT NOT NULL,
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT `comment_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `comment_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
