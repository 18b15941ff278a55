import { it } from 'vitest';
it('tz', () => {
  const before = new Date('2024-03-09 10:00:00').getUTCHours();
  process.env.TZ = 'America/New_York';
  const after = new Date('2024-03-09 10:00:00').getUTCHours();
  delete process.env.TZ;
  console.log(before, after, new Date('2024-03-09 10:00:00').getUTCHours(), Intl.DateTimeFormat().resolvedOptions().timeZone);
});
