import type { Role } from '~/gql/graphql';

const RANK: Record<Role, number> = { VIEWER: 0, STAFF: 1, ADMIN: 2, OWNER: 3 };

/** Mirrors the API's rule; the API still decides, this only hides buttons a role cannot use. */
export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  return role != null && RANK[role] >= RANK[needed];
}

export const canWrite = (role: Role | null | undefined) => roleAtLeast(role, 'STAFF');
export const canAdmin = (role: Role | null | undefined) => roleAtLeast(role, 'ADMIN');
