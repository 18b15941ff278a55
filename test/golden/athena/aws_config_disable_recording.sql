-- AWS Config Disabling Channel/Recorder (07330162-dba1-4746-8121-a9647d49d297)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'config.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'deletedeliverychannel'), FALSE) OR COALESCE((lower("eventname") = 'stopconfigurationrecorder'), FALSE)) END), FALSE));
