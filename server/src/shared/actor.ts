/** Who did something: a dashboard user, a partner API key, Stripe, or the system itself. Recorded on every change. */
export const ACTOR_TYPES = ['USER', 'API_KEY', 'STRIPE', 'SYSTEM'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface Actor {
  type: ActorType;
  id: string | null;
  label: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'SYSTEM', id: null, label: 'System' };

/** An operator at the command line (`pnpm cli`): a SYSTEM actor, told apart by its label. */
export const OPERATOR_ACTOR: Actor = { type: 'SYSTEM', id: null, label: 'Operator CLI' };
