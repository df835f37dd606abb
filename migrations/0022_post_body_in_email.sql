ALTER TABLE `content_items` ADD `email_html` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `email_text` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `author` text;--> statement-breakpoint
ALTER TABLE `content_items` ADD `hero_image` text;
--> statement-breakpoint
-- Hand-written: the post itself in its email (db/templates/content-email.*), and every message
-- declares light colours only (its colours are light-only). Fragments are replaced in place, so a
-- template the author edited keeps its edits (a fragment it changed is left as it is).
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = replace(`html_template`, '<meta name="color-scheme" content="light dark">', '<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">');
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = replace(`html_template`, '<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}</p>', '<p style="margin:0 0 20px 0;font-size:14px;color:#71717a;">{{publish_date}}{{#content_author}} &middot; {{content_author}}{{/content_author}}</p>
{{#hero_image_url}}<img src="{{hero_image_url}}" alt="" width="536" style="display:block;width:100%;max-width:100%;height:auto;border:0;border-radius:8px;margin:0 0 24px 0;">{{/hero_image_url}}') WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification');
--> statement-breakpoint
UPDATE `email_templates` SET `html_template` = replace(`html_template`, '{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>', '{{#content_body_html}}{{{content_body_html}}}
<p style="margin:28px 0 0 0;font-size:15px;"><a href="{{content_url}}" style="color:#1d4ed8;">{{cta_label}} on {{site_name}}</a></p>{{/content_body_html}}{{^content_body_html}}{{#content_excerpt}}<p style="margin:0 0 24px 0;font-size:17px;line-height:1.6;color:#3f3f46;">{{content_excerpt}}</p>{{/content_excerpt}}
<table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="border-radius:8px;background:#2563eb;">
<a href="{{content_url}}" style="display:inline-block;padding:12px 22px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">{{cta_label}}</a>
</td></tr></table>{{/content_body_html}}') WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification');
--> statement-breakpoint
UPDATE `email_templates` SET `text_template` = replace(`text_template`, '{{publish_date}}

{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{cta_label}}: {{content_url}}', '{{publish_date}}{{#content_author}} · {{content_author}}{{/content_author}}

{{#content_body_text}}{{content_body_text}}

{{/content_body_text}}{{^content_body_text}}{{#content_excerpt}}{{content_excerpt}}

{{/content_excerpt}}{{/content_body_text}}{{cta_label}}: {{content_url}}') WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification');
--> statement-breakpoint
UPDATE `email_templates` SET `variables` = json_insert(`variables`, '$[#]', 'content_author', '$[#]', 'content_body_html', '$[#]', 'content_body_text', '$[#]', 'hero_image_url') WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification') AND json_valid(`variables`);
--> statement-breakpoint
UPDATE `email_templates` SET `variables` = json_insert(`variables`, '$[#]', 'content_author') WHERE `template_name` = 'digest' AND json_valid(`variables`);
