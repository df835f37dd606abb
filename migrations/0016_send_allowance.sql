CREATE TABLE `send_allowance` (
	`sender` text PRIMARY KEY NOT NULL,
	`minute_start` integer NOT NULL,
	`minute_used` integer DEFAULT 0 NOT NULL,
	`day_start` integer NOT NULL,
	`day_used` integer DEFAULT 0 NOT NULL,
	`last_grant` integer DEFAULT 0 NOT NULL
);
