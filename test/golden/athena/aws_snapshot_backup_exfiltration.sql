-- AWS Snapshot Backup Exfiltration (abae8fec-57bd-4f87-aff6-6e3db989843d)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'modifysnapshotattribute'), FALSE) END), FALSE));
