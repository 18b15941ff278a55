-- AWS KMS Imported Key Material Usage (1279262f-1464-422f-ac0d-5b545320c526)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'kms.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'importkeymaterial'), FALSE) OR COALESCE((lower("eventName") = 'deleteimportedkeymaterial'), FALSE)) END), FALSE));
