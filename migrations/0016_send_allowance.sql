CREATE TABLE `send_allowance` (
	`sender` text PRIMARY KEY NOT NULL,
	`minute_start` integer NOT NULL,
	`minute_used` integer DEFAULT 0 NOT NULL,
	`day_start` integer NOT NULL,
	`day_used` integer DEFAULT 0 NOT NULL,
	`last_grant` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Hand-written: the call-to-action buttons get room above the footer divider
-- (db/templates/content-email.html, digest-email.html). Only rows still holding the
-- previous default are updated, so a template the author edited is left alone.
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
<tr><td style="padding:0 32px 36px 32px;">
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
', `updated_at` = unixepoch()
WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification') AND `html_template` = '<!DOCTYPE html>
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
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{digest_title}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{item_count}} new from {{site_name}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a> &middot; {{digest_period}} digest
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 20px 0;font-size:26px;line-height:1.25;color:#18181b;">{{digest_title}}</h1>
</td></tr>
{{#items}}
<tr><td style="padding:0 32px 24px 32px;">
<p style="margin:0 0 4px 0;font-size:13px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">{{content_type_label}} &middot; {{publish_date}}</p>
<h2 style="margin:0 0 8px 0;font-size:20px;line-height:1.3;"><a href="{{content_url}}" style="color:#18181b;text-decoration:none;">{{content_title}}</a></h2>
{{#content_excerpt}}<p style="margin:0 0 8px 0;font-size:16px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<a href="{{content_url}}" style="font-size:15px;font-weight:600;color:#2563eb;text-decoration:none;">{{cta_label}} &rarr;</a>
</td></tr>
{{/items}}
<tr><td style="padding:0;height:12px;font-size:0;line-height:0;">&nbsp;</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
You get this {{digest_period}} digest because {{recipient_email}} subscribed to updates from {{site_name}}.<br>
<a href="{{preferences_url}}" style="color:#2563eb;">Email preferences</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">Unsubscribe</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
', `updated_at` = unixepoch()
WHERE `template_name` = 'digest' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{digest_title}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{item_count}} new from {{site_name}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a> &middot; {{digest_period}} digest
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 20px 0;font-size:26px;line-height:1.25;color:#18181b;">{{digest_title}}</h1>
</td></tr>
{{#items}}
<tr><td style="padding:0 32px 24px 32px;">
<p style="margin:0 0 4px 0;font-size:13px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">{{content_type_label}} &middot; {{publish_date}}</p>
<h2 style="margin:0 0 8px 0;font-size:20px;line-height:1.3;"><a href="{{content_url}}" style="color:#18181b;text-decoration:none;">{{content_title}}</a></h2>
{{#content_excerpt}}<p style="margin:0 0 8px 0;font-size:16px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<a href="{{content_url}}" style="font-size:15px;font-weight:600;color:#2563eb;text-decoration:none;">{{cta_label}} &rarr;</a>
</td></tr>
{{/items}}
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
You get this {{digest_period}} digest because {{recipient_email}} subscribed to updates from {{site_name}}.<br>
<a href="{{preferences_url}}" style="color:#2563eb;">Email preferences</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">Unsubscribe</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
';
