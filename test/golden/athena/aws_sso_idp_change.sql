-- AWS Identity Center Identity Provider Change (d3adb3ef-b7e7-4003-9092-1924c797db35)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE (COALESCE((lower("eventsource") = 'sso-directory.amazonaws.com'), FALSE) OR COALESCE((lower("eventsource") = 'sso.amazonaws.com'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'associatedirectory'), FALSE) OR COALESCE((lower("eventname") = 'disableexternalidpconfigurationfordirectory'), FALSE) OR COALESCE((lower("eventname") = 'disassociatedirectory'), FALSE) OR COALESCE((lower("eventname") = 'enableexternalidpconfigurationfordirectory'), FALSE)) END), FALSE));
