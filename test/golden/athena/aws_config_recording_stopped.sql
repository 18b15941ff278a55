-- AWS Config Recording Stopped or Delivery Channel Deleted (4b7ffe7a-bf81-48a6-a220-3e30978dbbcb)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'config.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'stopconfigurationrecorder'), FALSE) OR COALESCE((lower("eventname") = 'deleteconfigurationrecorder'), FALSE) OR COALESCE((lower("eventname") = 'deletedeliverychannel'), FALSE)) END), FALSE));
