-- create table author
CREATE TABLE `author` (
    `id` BIGINT AUTO_INCREMENT,
    `name` VARCHAR(100) NOT NULL,
    `favorite_id` BIGINT,
    CONSTRAINT `author_pkey` PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
-- create table post
CREATE TABLE `post` (
    `id` BIGINT AUTO_INCREMENT,
    `author_id` BIGINT NOT NULL,
    `title` VARCHAR(200) NOT NULL,
    CONSTRAINT `post_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
-- add foreign key author_favorite_id_fkey (author.favorite_id -> post.id)
ALTER TABLE `author` ADD CONSTRAINT `author_favorite_id_fkey` FOREIGN KEY (`favorite_id`) REFERENCES `post` (`id`) ON DELETE SET NULL;
