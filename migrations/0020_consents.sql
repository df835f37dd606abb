-- Migration 0020: consent records (GDPR Art. 7), the versioned consent wording, and the default welcome template.
-- Template source: db/templates/welcome-email.{html,txt}; INSERT OR IGNORE keeps an author's own `welcome`.
CREATE TABLE `consent_texts` (
	`version` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `consents` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`choices` text NOT NULL,
	`text_version` text NOT NULL,
	`ip_address` text,
	`user_agent` text,
	`requested_at` integer NOT NULL,
	`confirmed_at` integer,
	`verification_token_hash` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`text_version`) REFERENCES `consent_texts`(`version`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "consents_source_check" CHECK(source IN ('subscribe_form', 'api', 'register', 'admin_import'))
);
--> statement-breakpoint
CREATE INDEX `idx_consents_user_id` ON `consents` (`user_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `idx_consents_verification_token` ON `consents` (`verification_token_hash`);--> statement-breakpoint
INSERT OR IGNORE INTO `email_templates` (`id`, `template_name`, `template_type`, `subject_template`, `html_template`, `text_template`, `variables`) VALUES ('tpl_welcome', 'welcome', 'system', 'Welcome to {{site_name}}', '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Welcome to {{site_name}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">Your subscription is confirmed.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">Welcome, your subscription is confirmed</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">From now on {{site_name}} will email {{recipient_email}} about: {{subscription_summary}}.</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">Change what you get, download your data or delete your account at any time.</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">Email preferences</a>
</td></tr></table>
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

Welcome, your subscription is confirmed

From now on {{site_name}} will email {{recipient_email}} about: {{subscription_summary}}.

Change what you get, download your data or delete your account here:

{{verify_url}}

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
', '["site_name","site_url","recipient_email","postal_address","unsubscribe_url","verify_url","subscription_summary"]');
