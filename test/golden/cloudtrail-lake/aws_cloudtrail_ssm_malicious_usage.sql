-- Potential Malicious Usage of CloudTrail System Manager (38e7f511-3f74-41d4-836e-f57dfa18eead)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE ((COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'sendcommand'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ssm.amazonaws.com'), FALSE) END), FALSE))
  AND (COALESCE((CASE WHEN "errorCode" IS NULL THEN FALSE ELSE COALESCE((lower("errorCode") = 'success'), FALSE) END), FALSE)
    OR COALESCE((CASE WHEN "errorCode" IS NULL THEN TRUE ELSE FALSE END), FALSE)));
