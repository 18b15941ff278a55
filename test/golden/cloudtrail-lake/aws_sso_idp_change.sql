-- AWS Identity Center Identity Provider Change (d3adb3ef-b7e7-4003-9092-1924c797db35)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE (COALESCE((lower("eventSource") = 'sso-directory.amazonaws.com'), FALSE) OR COALESCE((lower("eventSource") = 'sso.amazonaws.com'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'associatedirectory'), FALSE) OR COALESCE((lower("eventName") = 'disableexternalidpconfigurationfordirectory'), FALSE) OR COALESCE((lower("eventName") = 'disassociatedirectory'), FALSE) OR COALESCE((lower("eventName") = 'enableexternalidpconfigurationfordirectory'), FALSE)) END), FALSE));
