-- AWS Config Disabling Channel/Recorder (07330162-dba1-4746-8121-a9647d49d297)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'config.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'deletedeliverychannel'), FALSE) OR COALESCE((lower("eventName") = 'stopconfigurationrecorder'), FALSE)) END), FALSE));
