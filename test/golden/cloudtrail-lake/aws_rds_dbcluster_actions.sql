-- Modification or Deletion of an AWS RDS Cluster (457cc9ac-d8e6-4d1d-8c0e-251d0f11a74c)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'rds.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'modifydbcluster'), FALSE) OR COALESCE((lower("eventName") = 'deletedbcluster'), FALSE)) END), FALSE));
