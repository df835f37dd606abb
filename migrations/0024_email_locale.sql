-- Hand-written (issue 22): the reader's language in every default template: `lang`/`dir` on <html>,
-- and the words as `t_…` variables filled from the catalog (integration/i18n, db/template-variables.ts).
-- A row changes only while it still holds the previous default (0022's), so an author's edit stays;
-- a subject only while it is the previous default subject.
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
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
', `text_template` = '{{site_name}} · {{content_type_label}}

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
'
WHERE `id` = 'tpl_blog_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
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
' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
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
', `text_template` = '{{site_name}} · {{content_type_label}}

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
'
WHERE `id` = 'tpl_thought_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
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
' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
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
', `text_template` = '{{site_name}} · {{content_type_label}}

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
'
WHERE `id` = 'tpl_announcement_notification' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
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
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}
</td></tr>
<tr><td style="padding:0 32px 36px 32px;">
{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}
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
' AND `text_template` = '{{site_name}} · {{content_type_label}}

{{content_title}}
{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}

--
You get this email because {{recipient_email}} subscribed to {{content_type_label_plural}} from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
', `text_template` = '{{site_name}} · {{digest_period}} digest

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
'
WHERE `id` = 'tpl_digest' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
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
' AND `text_template` = '{{site_name}} · {{digest_period}} digest

{{digest_title}}

{{#items}}
{{content_type_label}} · {{publish_date}}
{{content_title}}
{{#content_excerpt}}{{content_excerpt}}
{{/content_excerpt}}{{cta_label}}: {{content_url}}

{{/items}}
--
You get this {{digest_period}} digest because {{recipient_email}} subscribed to updates from {{site_name}}.
Email preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
', `text_template` = '{{site_name}}

{{t_verify_heading}}

{{t_verify_intro}}

{{#subscription_summary}}{{t_verify_chose}}{{/subscription_summary}}

{{t_verify_here}}

{{verify_url}}

{{t_verify_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
'
WHERE `id` = 'tpl_verification' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
' AND `text_template` = '{{site_name}}

Confirm your subscription

Someone, hopefully you, asked to get emails from {{site_name}} at {{recipient_email}}. Confirm and the next post will find you.

You chose: {{subscription_summary}}. You can change this any time from the Email preferences link in every email.

Confirm here:

{{verify_url}}

Did not ask for this? Ignore this email and nothing more will come.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
', `text_template` = '{{site_name}}

{{t_sign_in_subject}}

{{t_sign_in_intro}}

{{t_sign_in_button}}: {{verify_url}}

{{t_sign_in_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
'
WHERE `id` = 'tpl_sign_in_link' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
' AND `text_template` = '{{site_name}}

Sign in to {{site_name}}

Someone, hopefully you, asked to sign in to {{site_name}} as {{recipient_email}}. The link works once, for 15 minutes.

Sign in: {{verify_url}}

Did not ask for this? Ignore this email: nobody can sign in without the link.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
', `text_template` = '{{site_name}}

{{t_password_subject}}

{{t_password_intro}}

{{t_password_button}}: {{verify_url}}

{{t_password_ignore}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
'
WHERE `id` = 'tpl_set_password' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
' AND `text_template` = '{{site_name}}

Set your password for {{site_name}}

Someone, hopefully you, asked to set a password for {{recipient_email}} on {{site_name}}. The link works once, for 15 minutes; using it signs out every other session.

Set my password: {{verify_url}}

Did not ask for this? Ignore this email: your account stays as it is.

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = '<!DOCTYPE html>
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
', `text_template` = '{{site_name}}

{{t_welcome_heading}}

{{t_welcome_intro}}

{{t_welcome_here}}

{{verify_url}}

--
{{t_footer_never}}: {{unsubscribe_url}}
{{postal_address}}
'
WHERE `id` = 'tpl_welcome' AND `html_template` = '<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
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
' AND `text_template` = '{{site_name}}

Welcome, your subscription is confirmed

From now on {{site_name}} will email {{recipient_email}} about: {{subscription_summary}}.

Change what you get, download your data or delete your account here:

{{verify_url}}

--
Never email this address again: {{unsubscribe_url}}
{{postal_address}}
';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{t_verify_subject}}' WHERE `id` = 'tpl_verification' AND `subject_template` = 'Confirm your subscription to {{site_name}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{t_digest_subject}}' WHERE `id` = 'tpl_digest' AND `subject_template` = '{{digest_title}}: {{item_count}} new from {{site_name}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{content_type_label}}: {{content_title}}' WHERE `id` = 'tpl_announcement_notification' AND `subject_template` = 'Announcement: {{content_title}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{content_type_label}}: {{content_title}}' WHERE `id` = 'tpl_blog_notification' AND `subject_template` = 'New post: {{content_title}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{content_type_label}}: {{content_title}}' WHERE `id` = 'tpl_thought_notification' AND `subject_template` = 'A new thought: {{content_title}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{t_welcome_subject}}' WHERE `id` = 'tpl_welcome' AND `subject_template` = 'Welcome to {{site_name}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{t_sign_in_subject}}' WHERE `id` = 'tpl_sign_in_link' AND `subject_template` = 'Sign in to {{site_name}}';
--> statement-breakpoint
UPDATE `email_templates` SET `subject_template` = '{{t_password_subject}}' WHERE `id` = 'tpl_set_password' AND `subject_template` = 'Set your password for {{site_name}}';
--> statement-breakpoint
UPDATE `email_templates` SET `variables` = (SELECT json_group_array(`value`) FROM (SELECT `value` FROM json_each(`email_templates`.`variables`) UNION SELECT `value` FROM json_each('["lang","dir","t_footer_why","t_footer_preferences","t_footer_unsubscribe","t_footer_never","t_verify_subject","t_verify_preheader","t_verify_heading","t_verify_intro","t_verify_chose","t_verify_button","t_verify_here","t_verify_ignore","t_digest_subject","t_welcome_subject","t_welcome_heading","t_welcome_intro","t_welcome_manage","t_welcome_here","t_sign_in_subject","t_sign_in_intro","t_sign_in_button","t_sign_in_ignore","t_password_subject","t_password_intro","t_password_button","t_password_ignore"]'))) WHERE `id` IN ('tpl_blog_notification', 'tpl_thought_notification', 'tpl_announcement_notification', 'tpl_digest', 'tpl_verification', 'tpl_sign_in_link', 'tpl_set_password', 'tpl_welcome') AND json_valid(`variables`);
