-- Potential Bucket Enumeration on AWS (f305fd62-beca-47da-ad95-7690a0620084)
SELECT *
FROM "cloudtrail_logs"
WHERE ((COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 's3.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'listbuckets'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "useridentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."type") = 'assumedrole'), FALSE) END), FALSE)));
