-- corm before issue 12 made these tables with utf8mb4_bin, a PAD SPACE
-- collation ('x' = 'x '): convert them to the NO PAD binary collation
-- corm creates tables with now (SQL printed by `corm migrate check`).
SET foreign_key_checks = 0;
ALTER TABLE `author` CONVERT TO CHARACTER SET utf8mb4 /*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE utf8mb4_0900_bin*/;
ALTER TABLE `comment` CONVERT TO CHARACTER SET utf8mb4 /*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE utf8mb4_0900_bin*/;
ALTER TABLE `post` CONVERT TO CHARACTER SET utf8mb4 /*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE utf8mb4_0900_bin*/;
ALTER TABLE `post_tag` CONVERT TO CHARACTER SET utf8mb4 /*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE utf8mb4_0900_bin*/;
ALTER TABLE `tag` CONVERT TO CHARACTER SET utf8mb4 /*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE utf8mb4_0900_bin*/;
SET foreign_key_checks = 1;
