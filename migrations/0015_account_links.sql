CREATE TABLE `account_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`purpose` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "account_tokens_purpose_check" CHECK(purpose IN ('sign_in', 'set_password'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_account_tokens_token_hash` ON `account_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `idx_account_tokens_user_id` ON `account_tokens` (`user_id`);--> statement-breakpoint
CREATE INDEX `idx_account_tokens_expires_at` ON `account_tokens` (`expires_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `email_verification_choices` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email_proven_at` integer;
--> statement-breakpoint
-- Hand-written below (issue 8): mark addresses already confirmed as proven, so their accounts keep working.
UPDATE `users` SET `email_proven_at` = `updated_at` WHERE `email_verified` = 1;--> statement-breakpoint
-- The verification email restates the reader's choices (db/templates/verification-email.*).
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Confirm your subscription to {{site_name}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">One click to confirm {{recipient_email}}.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">Confirm your subscription</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">Someone, hopefully you, asked to get emails from {{site_name}} at {{recipient_email}}. Confirm and the next post will find you.</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">You chose: {{subscription_summary}}. You can change this any time from the Email preferences link in every email.</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">Confirm my address</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">Did not ask for this? Ignore this email and nothing more will come.</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">Never email this address again</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
', `text_template` = '{{site_name}}

Confirm your subscription

Someone, hopefully you, asked to get emails from {{site_name}} at {{recipient_email}}. Confirm and the next post will find you.

You chose: {{subscription_summary}}. You can change this any time from the Email preferences link in every email.

Confirm here:

{{verify_url}}

Did not ask for this? Ignore this email and nothing more will come.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
', `variables` = '["site_name","site_url","recipient_email","postal_address","unsubscribe_url","verify_url","subscription_summary"]' WHERE `id` = 'tpl_verification';--> statement-breakpoint
-- Sign-in and set-password links (db/templates/{sign-in,password}-email.*). INSERT OR IGNORE keeps an author's own.
INSERT OR IGNORE INTO `email_templates` (`id`, `template_name`, `template_type`, `subject_template`, `html_template`, `text_template`, `variables`) VALUES ('tpl_sign_in_link', 'sign_in_link', 'system', 'Sign in to {{site_name}}', '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sign in to {{site_name}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">Your sign-in link for {{recipient_email}}.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">Sign in to {{site_name}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">Someone, hopefully you, asked to sign in to {{site_name}} as {{recipient_email}}. The link works once, for 15 minutes.</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">Sign in</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">Did not ask for this? Ignore this email: nobody can sign in without the link.</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">Never email this address again</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
', '{{site_name}}

Sign in to {{site_name}}

Someone, hopefully you, asked to sign in to {{site_name}} as {{recipient_email}}. The link works once, for 15 minutes.

Sign in: {{verify_url}}

Did not ask for this? Ignore this email: nobody can sign in without the link.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
', '["site_name","site_url","recipient_email","postal_address","unsubscribe_url","verify_url","subscription_summary"]');--> statement-breakpoint
INSERT OR IGNORE INTO `email_templates` (`id`, `template_name`, `template_type`, `subject_template`, `html_template`, `text_template`, `variables`) VALUES ('tpl_set_password', 'set_password', 'system', 'Set your password for {{site_name}}', '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Set your password for {{site_name}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">Your password link for {{recipient_email}}.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">Set your password for {{site_name}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">Someone, hopefully you, asked to set a password for {{recipient_email}} on {{site_name}}. The link works once, for 15 minutes; using it signs out every other session.</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">Set my password</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">Did not ask for this? Ignore this email: your account stays as it is.</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">Never email this address again</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
', '{{site_name}}

Set your password for {{site_name}}

Someone, hopefully you, asked to set a password for {{recipient_email}} on {{site_name}}. The link works once, for 15 minutes; using it signs out every other session.

Set my password: {{verify_url}}

Did not ask for this? Ignore this email: your account stays as it is.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
', '["site_name","site_url","recipient_email","postal_address","unsubscribe_url","verify_url","subscription_summary"]');
