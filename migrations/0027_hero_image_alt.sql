-- Hand-written (issue 19): the hero image of a post's email is described by the post's title, not left without words
-- (alt=""), for readers with images off or a screen reader. Only where the row still holds the default's exact tag,
-- so an author's own edit of it stays (db/templates/content-email.html is the source).
UPDATE `email_templates`
SET `html_template` = replace(`html_template`, '<img src="{{hero_image_url}}" alt="" width="536"', '<img src="{{hero_image_url}}" alt="{{content_title}}" width="536"')
WHERE `template_name` IN ('blog_notification', 'thought_notification', 'announcement_notification');
