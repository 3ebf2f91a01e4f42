-- create table post
CREATE TABLE `post` (
    `id` BIGINT AUTO_INCREMENT,
    `author_id` BIGINT NOT NULL,
    CONSTRAINT `post_pkey` PRIMARY KEY (`id`),
    CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin*/ /*!80017 COLLATE=utf8mb4_0900_bin*/;
-- add column author.bio text
ALTER TABLE `author` ADD COLUMN `bio` LONGTEXT;
