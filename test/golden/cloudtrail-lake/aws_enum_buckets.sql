-- Potential Bucket Enumeration on AWS (f305fd62-beca-47da-ad95-7690a0620084)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE ((COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 's3.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'listbuckets'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "userIdentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."type") = 'assumedrole'), FALSE) END), FALSE)));
