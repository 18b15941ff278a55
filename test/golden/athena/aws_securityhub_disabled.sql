-- AWS Security Hub Disabled (fae349fa-520f-4876-a01b-8556746c1980)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'securityhub.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'disablesecurityhub'), FALSE) OR COALESCE((lower("eventname") = 'batchdisablestandards'), FALSE) OR COALESCE((lower("eventname") = 'disableimportfindingsforproduct'), FALSE) OR COALESCE((lower("eventname") = 'disassociatefromadministratoraccount'), FALSE) OR COALESCE((lower("eventname") = 'disassociatefrommasteraccount'), FALSE) OR COALESCE((lower("eventname") = 'disassociatemembers'), FALSE) OR COALESCE((lower("eventname") = 'deletemembers'), FALSE)) END), FALSE));
