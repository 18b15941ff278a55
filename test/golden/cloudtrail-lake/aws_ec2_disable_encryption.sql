-- AWS EC2 Disable EBS Encryption (16124c2d-e40b-4fcc-8f2c-5ab7870a2223)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'disableebsencryptionbydefault'), FALSE) END), FALSE));
