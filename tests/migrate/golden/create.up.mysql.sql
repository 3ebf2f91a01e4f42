-- create table author
CREATE TABLE `author` (
    `id` BIGINT AUTO_INCREMENT,
    `email` VARCHAR(255) NOT NULL,
    `name` VARCHAR(100) NOT NULL,
    `karma` DOUBLE NOT NULL DEFAULT 0,
    `active` TINYINT(1) NOT NULL DEFAULT TRUE,
    `joined_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    `rank` SMALLINT NOT NULL DEFAULT 0,
    CONSTRAINT `author_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `author_email_key` UNIQUE (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
CREATE INDEX `author_name_idx` ON `author` (`name`);
-- create table posts
CREATE TABLE `posts` (
    `id` BIGINT AUTO_INCREMENT,
    `author_id` BIGINT NOT NULL,
    `title` VARCHAR(200) NOT NULL,
    `note` VARCHAR(50) NOT NULL DEFAULT 'it''s',
    `status` ENUM('archived', 'draft', 'published') NOT NULL DEFAULT 'draft',
    `words` INT,
    CONSTRAINT `posts_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `posts_author_id_title_key` UNIQUE (`author_id`, `title`),
    CONSTRAINT `posts_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
-- create table badge
CREATE TABLE `badge` (
    `id` SMALLINT AUTO_INCREMENT,
    `label` VARCHAR(20) NOT NULL,
    CONSTRAINT `badge_pkey` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
