-- AWS STS GetCallerIdentity Enumeration Via TruffleHog (9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'getcalleridentity'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "userAgent" IS NULL THEN FALSE ELSE COALESCE((lower("userAgent") LIKE '%trufflehog%' ESCAPE '\'), FALSE) END), FALSE));
