-- AWS Snapshot Backup Exfiltration (abae8fec-57bd-4f87-aff6-6e3db989843d)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'modifysnapshotattribute'), FALSE) END), FALSE));
