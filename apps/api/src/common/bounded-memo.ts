/**
 * `compute` remembered per key, for at most `max` keys: when full, everything is forgotten at once
 * (cheaper per call than an LRU, and a flood of new keys only costs recomputing). For pure
 * functions of short, attacker-influenced keys on the hot path (client addresses).
 */
export function boundedMemo<V>(max: number, compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (known.size >= max) known.clear();
      known.set(key, value);
    }
    return value;
  };
}
