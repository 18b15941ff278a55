-- AWS KMS Imported Key Material Usage (1279262f-1464-422f-ac0d-5b545320c526)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'kms.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'importkeymaterial'), FALSE) OR COALESCE((lower("eventname") = 'deleteimportedkeymaterial'), FALSE)) END), FALSE));
