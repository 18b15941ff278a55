// Edge-case rules and events for the conversion equality tests (DuckDB and PostgreSQL run the same ones).
import type { JsonObject } from '../../src/sigma/fields.js';

export const EVENTS: JsonObject[] = [
  { eventName: 'StopLogging', a: { b: 'x' } },
  { eventName: 'stoplogging', a: [{ b: 'x' }, { b: 'y' }] },
  { eventName: 'Stop_Logging', a: [[{ b: 'y' }]] },
  { eventName: 'Stop%Logging', 'a.b': 'y', a: { b: 'x' } },
  { eventName: "O'Brien", a: { 'b.c': 'z', b: { c: 'w' } } },
  { eventName: 'x', a: null },
  { eventName: 'x', a: { b: null } },
  { eventName: 'x', a: [{ b: null }] },
  { eventName: 'x', a: [] },
  { eventName: 'x', a: [{}] },
  { eventName: 'x', a: { b: [] } },
  { eventName: 'x', a: [{ b: [] }] },
  { eventName: 'x', a: { b: ['p', ['q']] } },
  { n: 5, s: '5', t: ' 7 ', f: 1.5, big: 12345678901234, bool: false, neg: -0.25 },
  { n: 10, s: 'ten', t: '1e1', f: 0.1 },
  { requestParameters: { bucketName: 'b', Suspended: true, nested: { k: [1, 'two', null] } } },
  { requestParameters: { enable: false } },
  { requestParameters: { enable: 'false' } },
  { requestParameters: { enable: 'FALSE' } },
  { sourceIPAddress: '10.1.2.3' },
  { sourceIPAddress: ' 10.255.0.1 ' },
  { sourceIPAddress: '11.0.0.1' },
  { sourceIPAddress: '10.0.0.256' },
  { sourceIPAddress: 'ec2.amazonaws.com' },
  { userIdentity: { arn: 'arn:aws:sts::1:assumed-role/aws:x/y', userName: 'bob' }, requestParameters: { userName: 'BOB' } },
  { userIdentity: { arn: 'arn:aws:iam::1:user/bob', userName: 'bob' }, requestParameters: { userName: 'alice' } },
  { userAgent: 'line1\nline2' },
  { userAgent: 'a\\b*c?d' },
  { userAgent: 'abcd' },
  { userAgent: 'ÉCOLE' },
  { resources: [{ ARN: 'arn:1' }, { ARN: 'arn:2', type: 'AWS::S3::Bucket' }] },
  { resources: [{ type: 'x' }] },
  { deep: { 'x.y': { z: 'dotted' } } },
  { deep: { x: { y: { z: 'plain' } } } },
];

export const RULES = `
title: eq
id: 00000000-0000-4000-8000-000000000001
logsource: { product: aws, service: cloudtrail }
detection: { sel: { eventName: stoplogging }, condition: sel }
---
title: like metachars
id: 00000000-0000-4000-8000-000000000002
logsource: { product: aws, service: cloudtrail }
detection: { sel: { eventName: ['stop_logging', 'stop%logging', "o'brien"] }, condition: sel }
---
title: wildcards
id: 00000000-0000-4000-8000-000000000003
logsource: { product: aws, service: cloudtrail }
detection: { sel1: { eventName: 'stop?logging' }, sel2: { userAgent: 'a\\\\b\\*c\\?d' }, condition: 1 of sel* }
---
title: dot path any element
id: 00000000-0000-4000-8000-000000000004
logsource: { product: aws, service: cloudtrail }
detection: { sel: { a.b: y }, condition: sel }
---
title: null value
id: 00000000-0000-4000-8000-000000000005
logsource: { product: aws, service: cloudtrail }
detection: { sel: { a.b: null }, condition: sel }
---
title: exists
id: 00000000-0000-4000-8000-000000000006
logsource: { product: aws, service: cloudtrail }
detection: { sel: { a.b|exists: true }, condition: sel }
---
title: not exists
id: 00000000-0000-4000-8000-000000000007
logsource: { product: aws, service: cloudtrail }
detection: { sel: { a.b|exists: false }, condition: sel }
---
title: neq
id: 00000000-0000-4000-8000-000000000008
logsource: { product: aws, service: cloudtrail }
detection: { sel: { a.b|neq: x }, condition: sel }
---
title: dotted keys win
id: 00000000-0000-4000-8000-000000000009
logsource: { product: aws, service: cloudtrail }
detection: { sel1: { a.b.c: [z, w] }, sel2: { deep.x.y.z: '*' }, condition: 1 of sel* }
---
title: numbers
id: 00000000-0000-4000-8000-000000000010
logsource: { product: aws, service: cloudtrail }
detection:
  lt: { n|lt: 6 }
  s: { s|gte: 5 }
  t: { t|gt: 6 }
  f: { f: '1.5' }
  big: { big: 12345678901234 }
  b: { bool: 'false' }
  neg: { neg|lte: -0.25 }
  condition: 1 of them
---
title: object as text
id: 00000000-0000-4000-8000-000000000011
logsource: { product: aws, service: cloudtrail }
detection:
  sel: { requestParameters|contains: '"Suspended":true' }
  nested: { requestParameters.nested|contains: '[1,"two",null]' }
  enable: { requestParameters.enable: 'false' }
  condition: sel or nested or enable
---
title: cidr
id: 00000000-0000-4000-8000-000000000012
logsource: { product: aws, service: cloudtrail }
detection: { sel: { sourceIPAddress|cidr: 10.0.0.0/8 }, condition: sel }
---
title: re and fieldref
id: 00000000-0000-4000-8000-000000000013
logsource: { product: aws, service: cloudtrail }
detection:
  re: { userIdentity.arn|re: ':assumed-role/aws:.+' }
  ref: { userIdentity.userName|fieldref: requestParameters.userName }
  dot: { userAgent|re: 'line1.line2' }
  dots: { userAgent|re|s: 'line1.line2' }
  condition: 1 of them
---
title: all and arrays
id: 00000000-0000-4000-8000-000000000014
logsource: { product: aws, service: cloudtrail }
detection:
  all: { resources.ARN|all: ['arn:1', 'arn:2'] }
  arr: { a.b|contains: q }
  condition: all or arr
---
title: case-insensitive unicode and keywords
id: 00000000-0000-4000-8000-000000000015
logsource: { product: aws, service: cloudtrail }
detection:
  sel: { userAgent: école }
  kw: ['dotted', 'S3::B']
  condition: sel or kw
---
title: not and missing
id: 00000000-0000-4000-8000-000000000016
logsource: { product: aws, service: cloudtrail }
detection:
  sel: { resources.type: null }
  named_x: { eventName: x }
  condition: sel and not named_x
---
title: contains startswith endswith cased windash
id: 00000000-0000-4000-8000-000000000017
logsource: { product: aws, service: cloudtrail }
detection:
  c: { userAgent|contains|cased: 'ÉCO' }
  s: { eventName|startswith: 'STOP' }
  e: { userAgent|endswith: '2' }
  condition: 1 of them
`;

