-- AWS STS GetSessionToken Misuse (b45ab1d2-712f-4f01-a751-df3826969807)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'getsessiontoken'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "userIdentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."type") = 'iamuser'), FALSE) END), FALSE));
