-- AWS S3 Data Management Tampering (78b3756a-7804-4ef7-8555-7b9024a02e2d)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 's3.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'putbucketlogging'), FALSE) OR COALESCE((lower("eventName") = 'putbucketwebsite'), FALSE) OR COALESCE((lower("eventName") = 'putencryptionconfiguration'), FALSE) OR COALESCE((lower("eventName") = 'putlifecycleconfiguration'), FALSE) OR COALESCE((lower("eventName") = 'putreplicationconfiguration'), FALSE) OR COALESCE((lower("eventName") = 'replicateobject'), FALSE) OR COALESCE((lower("eventName") = 'restoreobject'), FALSE)) END), FALSE));
