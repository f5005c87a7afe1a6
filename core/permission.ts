// Permissions are `<area>:read` or `<area>:write`; `*` grants everything. Write implies read
// in the same area, as a clerk who may post stock may also look at it.

export const AREAS = ['catalog', 'facilities', 'inventory', 'procurement', 'sales', 'production', 'admin'] as const;
export type Area = (typeof AREAS)[number];
export type Permission = `${Area}:${'read' | 'write'}` | '*';

export const PERMISSIONS: readonly Permission[] = [
  '*',
  ...AREAS.flatMap((a) => [`${a}:read`, `${a}:write`] as Permission[]),
];

export function grants(held: readonly string[], needed: Permission): boolean {
  if (held.includes('*') || held.includes(needed)) return true;
  if (needed.endsWith(':read')) return held.includes(needed.replace(/:read$/, ':write'));
  return false;
}
