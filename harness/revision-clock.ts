// When was an object written, to the millisecond? creationTimestamp has one-second resolution, and the time a watch
// event reaches the harness adds the watch's delivery delay (more than a second for pods under load). This clock
// uses etcd's revision instead: every write gets the next revision of the one etcd the bench cluster has, and an
// object's resourceVersion is that revision. The harness notes, for its own writes, when the answer came back with
// its revision. A write of revision R committed before every write of a higher revision,
// so it committed before the answer to any of them arrived: the earliest such answer is an upper bound of R's
// commit time. (Latencies computed from it are never understated; they overstate by at most the gap to the next
// harness write, plus that write's round trip.) Relies on resourceVersion being etcd's revision, which holds for
// kube-apiserver with etcd3 storage; bench-only.
export class RevisionClock {
  readonly #points: { rv: number; answeredMs: number }[] = [];
  /** Built on the first read after a note: the points sorted by revision, and the earliest answer from each on. */
  #suffixMin: Float64Array | undefined;

  /** Notes one of the harness's writes, answered at `answeredMs` with `resourceVersion`. */
  note(resourceVersion: string | undefined, answeredMs: number): void {
    const rv = Number(resourceVersion);
    if (!Number.isSafeInteger(rv)) return;
    this.#points.push({ rv, answeredMs });
    this.#suffixMin = undefined;
  }

  get size(): number {
    return this.#points.length;
  }

  /** The latest time (harness clock, ms) by which revision `resourceVersion` was committed, if a later write says. */
  committedBy(resourceVersion: string | undefined): number | undefined {
    const rv = Number(resourceVersion);
    if (!Number.isSafeInteger(rv)) return undefined;
    const suffixMin = this.#suffixMin ?? this.#buildSuffixMin();
    const points = this.#points;
    // The first point with a revision above rv.
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((points[mid]?.rv ?? 0) > rv) hi = mid;
      else lo = mid + 1;
    }
    return lo < points.length ? suffixMin[lo] : undefined;
  }

  #buildSuffixMin(): Float64Array {
    const points = this.#points.sort((a, b) => a.rv - b.rv); // answers may arrive out of revision order
    const out = new Float64Array(points.length);
    let min = Number.POSITIVE_INFINITY;
    for (let i = points.length - 1; i >= 0; i--) {
      min = Math.min(min, points[i]?.answeredMs ?? min);
      out[i] = min;
    }
    this.#suffixMin = out;
    return out;
  }
}
