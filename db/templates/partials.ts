// Generated from db/templates/partials/* by db/templates/partials.test.ts: edit those files, then run
// `npx vitest run db/templates/partials.test.ts -u`. The Worker has no file system, so the partials travel as strings.
export const HTML_PARTIALS: Readonly<Record<string, string>> = {
  footer: [
    "<tr><td style=\"padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1",
    ".6;color:#71717a;\">\n",
    "{{t_footer_why}}<br>\n",
    "<a href=\"{{preferences_url}}\" style=\"color:#2563eb;\">{{t_footer_preferences}}</a> &middot; <a href=\"",
    "{{unsubscribe_url}}\" style=\"color:#2563eb;\">{{t_footer_unsubscribe}}</a><br>\n",
    "{{postal_address}}\n",
    "</td></tr>\n",
  ].join(''),
  footer_system: [
    "<tr><td style=\"padding:32px 32px 28px 32px;border-top:1px solid #e4e4e7;font-size:13px;line-height:1",
    ".6;color:#71717a;\">\n",
    "<a href=\"{{unsubscribe_url}}\" style=\"color:#2563eb;\">{{t_footer_never}}</a><br>\n",
    "{{postal_address}}\n",
    "</td></tr>\n",
  ].join(''),
  head: [
    "<!DOCTYPE html>\n",
    "<html lang=\"{{lang}}\" dir=\"{{dir}}\">\n",
    "<head>\n",
    "<meta charset=\"utf-8\">\n",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    "<meta name=\"color-scheme\" content=\"light\">\n",
    "<meta name=\"supported-color-schemes\" content=\"light\">\n",
  ].join(''),
};
export const TEXT_PARTIALS: Readonly<Record<string, string>> = {
  footer: [
    "--\n",
    "{{t_footer_why}}\n",
    "{{t_footer_preferences}}: {{preferences_url}}\n",
    "{{t_footer_unsubscribe}}: {{unsubscribe_url}}\n",
    "{{postal_address}}\n",
  ].join(''),
  footer_system: [
    "--\n",
    "{{t_footer_never}}: {{unsubscribe_url}}\n",
    "{{postal_address}}\n",
  ].join(''),
};
