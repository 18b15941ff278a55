-- AWS CloudTrail Important Change (4db60cc0-36fb-42b7-9b58-a5b53019fb74)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'cloudtrail.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'stoplogging'), FALSE) OR COALESCE((lower("eventName") = 'updatetrail'), FALSE) OR COALESCE((lower("eventName") = 'deletetrail'), FALSE)) END), FALSE));
