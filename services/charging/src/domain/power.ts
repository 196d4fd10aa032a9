/**
 * Sharing a facility's power limit among the sessions charging there. Each session may draw at
 * most its station's rating; a paused session draws nothing. The rest is shared equally
 * (water-filling: what a small station cannot use goes to the others).
 */

export interface PowerDemand {
  id: string;
  ratingKw: number;
  paused: boolean;
}

/** Whole watts, never above the kW given; the epsilon undoes float error (32.3 * 1000 = 32299.999…). */
const watts = (kw: number) => Math.floor(kw * 1000 + 1e-6);

/** Watts for each session; with no facility limit, each gets its station's rating (0 when paused). */
export function sharePower(limitKw: number | null, demands: readonly PowerDemand[]): Map<string, number> {
  const allocation = new Map<string, number>();
  const ratingW = (d: PowerDemand) => watts(d.ratingKw);
  const wanting = demands.filter((d) => !d.paused).sort((a, b) => ratingW(a) - ratingW(b));
  for (const d of demands) if (d.paused) allocation.set(d.id, 0);
  if (limitKw === null) {
    for (const d of wanting) allocation.set(d.id, ratingW(d));
    return allocation;
  }
  let remainingW = watts(limitKw);
  wanting.forEach((d, index) => {
    const fairShare = Math.floor(remainingW / (wanting.length - index));
    const given = Math.min(ratingW(d), fairShare);
    allocation.set(d.id, given);
    remainingW -= given;
  });
  return allocation;
}

export interface ProfileChange {
  id: string;
  fromW: number | null;
  toW: number;
}

/**
 * The changes from one allocation to the next, lowering before raising, so that the sum of the
 * limits the stations hold never exceeds the facility's limit while the changes go out one by one.
 */
export function orderedChanges(
  current: ReadonlyMap<string, number | null>,
  next: ReadonlyMap<string, number>,
): ProfileChange[] {
  const changes: ProfileChange[] = [];
  for (const [id, toW] of next) {
    const fromW = current.get(id) ?? null;
    if (fromW !== toW) changes.push({ id, fromW, toW });
  }
  const lowering = (c: ProfileChange) => c.fromW === null || c.toW < c.fromW;
  return [...changes.filter(lowering), ...changes.filter((c) => !lowering(c))];
}
