-- Modification or Deletion of an AWS RDS Cluster (457cc9ac-d8e6-4d1d-8c0e-251d0f11a74c)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'rds.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'modifydbcluster'), FALSE) OR COALESCE((lower("eventname") = 'deletedbcluster'), FALSE)) END), FALSE));
