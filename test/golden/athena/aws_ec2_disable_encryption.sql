-- AWS EC2 Disable EBS Encryption (16124c2d-e40b-4fcc-8f2c-5ab7870a2223)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'disableebsencryptionbydefault'), FALSE) END), FALSE));
