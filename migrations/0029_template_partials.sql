-- Hand-written (issue 21): the default templates share their <head> and footer as Mustache partials ({{> head}}, {{> footer}},
-- {{> footer_system}}), shipped in code (db/templates/partials/, db/templates/partials.ts) and given to every render, so a footer
-- change is one edit. The rendered bytes do not change. A row changes only while it still holds the previous default exactly
-- (0024/0027 and db/templates/ at that time), so an author's edit stays as it is.
UPDATE `email_templates` SET `html_template` = '{{> head}}
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
{{> footer}}
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
'
WHERE `id` = 'tpl_blog_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
{{t_footer_why}}<br>
<a href="{{preferences_url}}" style="color:#2563eb;">{{t_footer_preferences}}</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_unsubscribe}}</a><br>
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
UPDATE `email_templates` SET `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

{{> footer}}
'
WHERE `id` = 'tpl_blog_notification' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
{{t_footer_why}}
{{t_footer_preferences}}: {{preferences_url}}
{{t_footer_unsubscribe}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
{{> footer}}
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
'
WHERE `id` = 'tpl_thought_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
{{t_footer_why}}<br>
<a href="{{preferences_url}}" style="color:#2563eb;">{{t_footer_preferences}}</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_unsubscribe}}</a><br>
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
UPDATE `email_templates` SET `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

{{> footer}}
'
WHERE `id` = 'tpl_thought_notification' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
{{t_footer_why}}
{{t_footer_preferences}}: {{preferences_url}}
{{t_footer_unsubscribe}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
{{> footer}}
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
'
WHERE `id` = 'tpl_announcement_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="{{content_title}}" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
{{t_footer_why}}<br>
<a href="{{preferences_url}}" style="color:#2563eb;">{{t_footer_preferences}}</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_unsubscribe}}</a><br>
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
UPDATE `email_templates` SET `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

{{> footer}}
'
WHERE `id` = 'tpl_announcement_notification' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
{{t_footer_why}}
{{t_footer_preferences}}: {{preferences_url}}
{{t_footer_unsubscribe}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
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
{{> footer}}
</table>
</td></tr>
</table>
{{#tracking_pixel_url}}<img src="{{tracking_pixel_url}}" width="1" height="1" alt="" style="display:block;border:0;">{{/tracking_pixel_url}}
</body>
</html>
'
WHERE `id` = 'tpl_digest' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
{{t_footer_why}}<br>
<a href="{{preferences_url}}" style="color:#2563eb;">{{t_footer_preferences}}</a> &middot; <a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_unsubscribe}}</a><br>
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
UPDATE `email_templates` SET `text_template` = '{{site_name}} · {{digest_period}} digest

{{digest_title}}

{{#items}}
{{content_type_label}} · {{publish_date}}
{{content_title}}
{{#content_excerpt}}{{content_excerpt}}
{{/content_excerpt}}{{cta_label}}: {{content_url}}

{{/items}}
{{> footer}}
'
WHERE `id` = 'tpl_digest' AND `text_template` = '{{site_name}} · {{digest_period}} digest

{{digest_title}}

{{#items}}
{{content_type_label}} · {{publish_date}}
{{content_title}}
{{#content_excerpt}}{{content_excerpt}}
{{/content_excerpt}}{{cta_label}}: {{content_url}}

{{/items}}
--
{{t_footer_why}}
{{t_footer_preferences}}: {{preferences_url}}
{{t_footer_unsubscribe}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
<title>{{t_verify_subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{t_verify_preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_verify_heading}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_verify_intro}}</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_verify_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_verify_ignore}}</p>
</td></tr>
{{> footer_system}}
</table>
</td></tr>
</table>
</body>
</html>
'
WHERE `id` = 'tpl_verification' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{{t_verify_subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,BlinkMacSystemFont,''Segoe UI'',Roboto,Helvetica,Arial,sans-serif;color:#18181b;">
<div style="display:none;max-height:0;overflow:hidden;">{{t_verify_preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:12px;">
<tr><td style="padding:28px 32px 8px 32px;font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#71717a;">
<a href="{{site_url}}" style="color:#71717a;text-decoration:none;">{{site_name}}</a>
</td></tr>
<tr><td style="padding:8px 32px 0 32px;">
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_verify_heading}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_verify_intro}}</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_verify_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_verify_ignore}}</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_never}}</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
';
--> statement-breakpoint
UPDATE `email_templates` SET `text_template` = '{{site_name}}

{{t_verify_heading}}

{{t_verify_intro}}

{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}

{{t_verify_here}}

{{verify_url}}

{{t_verify_ignore}}

{{> footer_system}}
'
WHERE `id` = 'tpl_verification' AND `text_template` = '{{site_name}}

{{t_verify_heading}}

{{t_verify_intro}}

{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}

{{t_verify_here}}

{{verify_url}}

{{t_verify_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
<title>{{t_sign_in_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_sign_in_subject}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_sign_in_intro}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_sign_in_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_sign_in_ignore}}</p>
</td></tr>
{{> footer_system}}
</table>
</td></tr>
</table>
</body>
</html>
'
WHERE `id` = 'tpl_sign_in_link' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{{t_sign_in_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_sign_in_subject}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_sign_in_intro}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_sign_in_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_sign_in_ignore}}</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_never}}</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
';
--> statement-breakpoint
UPDATE `email_templates` SET `text_template` = '{{site_name}}

{{t_sign_in_subject}}

{{t_sign_in_intro}}

{{t_sign_in_button}}: {{verify_url}}

{{t_sign_in_ignore}}

{{> footer_system}}
'
WHERE `id` = 'tpl_sign_in_link' AND `text_template` = '{{site_name}}

{{t_sign_in_subject}}

{{t_sign_in_intro}}

{{t_sign_in_button}}: {{verify_url}}

{{t_sign_in_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
<title>{{t_password_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_password_subject}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_password_intro}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_password_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_password_ignore}}</p>
</td></tr>
{{> footer_system}}
</table>
</td></tr>
</table>
</body>
</html>
'
WHERE `id` = 'tpl_set_password' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{{t_password_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_password_subject}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_password_intro}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_password_button}}</a>
</td></tr></table>
<p style="margin:24px 0 0 0;font-size:14px;line-height:1.6;color:#71717a;">{{t_password_ignore}}</p>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_never}}</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
';
--> statement-breakpoint
UPDATE `email_templates` SET `text_template` = '{{site_name}}

{{t_password_subject}}

{{t_password_intro}}

{{t_password_button}}: {{verify_url}}

{{t_password_ignore}}

{{> footer_system}}
'
WHERE `id` = 'tpl_set_password' AND `text_template` = '{{site_name}}

{{t_password_subject}}

{{t_password_intro}}

{{t_password_button}}: {{verify_url}}

{{t_password_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '{{> head}}
<title>{{t_welcome_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_welcome_heading}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_welcome_intro}}</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_welcome_manage}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_footer_preferences}}</a>
</td></tr></table>
</td></tr>
{{> footer_system}}
</table>
</td></tr>
</table>
</body>
</html>
'
WHERE `id` = 'tpl_welcome' AND `html_template` = '<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{{t_welcome_subject}}</title>
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
<h1 style="margin:0 0 12px 0;font-size:26px;line-height:1.25;color:#18181b;">{{t_welcome_heading}}</h1>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_welcome_intro}}</p>
<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{t_welcome_manage}}</p>
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{verify_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{t_footer_preferences}}</a>
</td></tr></table>
</td></tr>
<tr><td style="padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1.6;color:#71717a;">
<a href="{{unsubscribe_url}}" style="color:#2563eb;">{{t_footer_never}}</a><br>
{{postal_address}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
';
--> statement-breakpoint
UPDATE `email_templates` SET `text_template` = '{{site_name}}

{{t_welcome_heading}}

{{t_welcome_intro}}

{{t_welcome_here}}

{{verify_url}}

{{> footer_system}}
'
WHERE `id` = 'tpl_welcome' AND `text_template` = '{{site_name}}

{{t_welcome_heading}}

{{t_welcome_intro}}

{{t_welcome_here}}

{{verify_url}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
';
