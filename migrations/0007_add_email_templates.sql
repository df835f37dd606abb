-- Migration 0007: email templates (Mustache), with the default blog and thought notifications.
-- The HTML and text sources live in db/templates/ and are rendered by the delivery code.
CREATE TABLE `email_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`template_name` text NOT NULL,
	`template_type` text NOT NULL,
	`subject_template` text NOT NULL,
	`html_template` text NOT NULL,
	`text_template` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`variables` text DEFAULT '[]' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	CONSTRAINT "email_templates_template_type_check" CHECK(template_type IN ('notification', 'system', 'announcement', 'digest'))
);
CREATE UNIQUE INDEX `email_templates_template_name_unique` ON `email_templates` (`template_name`);
CREATE INDEX `idx_email_templates_type` ON `email_templates` (`template_type`);
CREATE INDEX `idx_email_templates_active` ON `email_templates` (`is_active`);

INSERT INTO `email_templates` (`id`, `template_name`, `template_type`, `subject_template`, `html_template`, `text_template`, `variables`) VALUES ('tpl_blog_notification', 'blog_notification', 'notification', 'New post: {{content_title}}', '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{content_title}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{content_excerpt}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a> &middot; {{content_type_label}}
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{content_title}}</h1>
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}</p>
</td></tr>
<tr><td style="padding:0 32px;">
{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.<br>
<a href="{{preferences_url}}" style="color:#2563eb;">Email preferences</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">Unsubscribe</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
', '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}

{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{cta_label}}: {{content_url}}

--
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
', '["site_name","site_url","content_title","content_url","content_excerpt","content_type_label","content_type_label_plural","cta_label","publish_date","recipient_email","unsubscribe_url","preferences_url","postal_address","tracking_pixel_url"]');
INSERT INTO `email_templates` (`id`, `template_name`, `template_type`, `subject_template`, `html_template`, `text_template`, `variables`) VALUES ('tpl_thought_notification', 'thought_notification', 'notification', 'A new thought: {{content_title}}', '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{content_title}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{content_excerpt}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a> &middot; {{content_type_label}}
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{content_title}}</h1>
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}</p>
</td></tr>
<tr><td style="padding:0 32px;">
{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.<br>
<a href="{{preferences_url}}" style="color:#2563eb;">Email preferences</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">Unsubscribe</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
', '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}

{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{cta_label}}: {{content_url}}

--
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
', '["site_name","site_url","content_title","content_url","content_excerpt","content_type_label","content_type_label_plural","cta_label","publish_date","recipient_email","unsubscribe_url","preferences_url","postal_address","tracking_pixel_url"]');
