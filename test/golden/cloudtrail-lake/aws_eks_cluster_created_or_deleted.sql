-- AWS EKS Cluster Created or Deleted (33d50d03-20ec-4b74-a74e-1e65a38af1c0)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'eks.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'createcluster'), FALSE) OR COALESCE((lower("eventName") = 'deletecluster'), FALSE)) END), FALSE));
