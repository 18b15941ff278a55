-- AWS Security Hub Disabled (fae349fa-520f-4876-a01b-8556746c1980)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'securityhub.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'disablesecurityhub'), FALSE) OR COALESCE((lower("eventName") = 'batchdisablestandards'), FALSE) OR COALESCE((lower("eventName") = 'disableimportfindingsforproduct'), FALSE) OR COALESCE((lower("eventName") = 'disassociatefromadministratoraccount'), FALSE) OR COALESCE((lower("eventName") = 'disassociatefrommasteraccount'), FALSE) OR COALESCE((lower("eventName") = 'disassociatemembers'), FALSE) OR COALESCE((lower("eventName") = 'deletemembers'), FALSE)) END), FALSE));
