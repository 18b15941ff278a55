-- AWS EKS Cluster Created or Deleted (33d50d03-20ec-4b74-a74e-1e65a38af1c0)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'eks.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'createcluster'), FALSE) OR COALESCE((lower("eventname") = 'deletecluster'), FALSE)) END), FALSE));
