-- AWS S3 Data Management Tampering (78b3756a-7804-4ef7-8555-7b9024a02e2d)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 's3.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'putbucketlogging'), FALSE) OR COALESCE((lower("eventname") = 'putbucketwebsite'), FALSE) OR COALESCE((lower("eventname") = 'putencryptionconfiguration'), FALSE) OR COALESCE((lower("eventname") = 'putlifecycleconfiguration'), FALSE) OR COALESCE((lower("eventname") = 'putreplicationconfiguration'), FALSE) OR COALESCE((lower("eventname") = 'replicateobject'), FALSE) OR COALESCE((lower("eventname") = 'restoreobject'), FALSE)) END), FALSE));
