-- AWS Config Recording Stopped or Delivery Channel Deleted (4b7ffe7a-bf81-48a6-a220-3e30978dbbcb)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'config.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'stopconfigurationrecorder'), FALSE) OR COALESCE((lower("eventName") = 'deleteconfigurationrecorder'), FALSE) OR COALESCE((lower("eventName") = 'deletedeliverychannel'), FALSE)) END), FALSE));
