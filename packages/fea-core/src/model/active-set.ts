/**
 * The active-set loop shared by every piecewise-linear condition of the engine:
 * tension-only springs (inside {@link prepareModel}), the facet cartilage cells of the
 * spine analysis and, next, contact. Each is a sequence of linear solves; between two
 * solves the members (springs, cells, contact pairs) switch between two states and the
 * system is re-assembled, until no member switches.
 */
/** What one active-set problem supplies to {@link activeSetLoop}. */
export interface ActiveSetProblem<R> {
  /**
   * Solve the linear problem with the current set. `loose` asks for the looser tolerance
   * of the passes before the set settles: a loose solve decides the set as well as a tight one.
   */
  solve(loose: boolean): R;
  /** Switch members from a solution; returns how many switched. */
  update(result: R): number;
  /** The current set as a string (cycle detection). */
  key(): string;
  /** Re-assemble for the switched set before the next solve. */
  apply(): void;
  /**
   * The set cycles (a state seen before) or `maxPasses` is spent: return a final result
   * (e.g. after freezing the switching members) or throw (springs throw
   * `SolverNotConvergedError` with reason `active-set`).
   */
  onStuck(info: ActiveSetStuck<R>): { result: R; passes: number };
}

/** The state of a loop that did not settle, as {@link ActiveSetProblem.onStuck} receives it. */
export interface ActiveSetStuck<R> {
  /** The last solution. */
  result: R;
  /** Linear solves so far. */
  passes: number;
  /** Members that switched after the last solve. */
  changed: number;
  /** Whether the set returned to a state seen before. */
  cycling: boolean;
}

/** Options of {@link activeSetLoop}. */
export interface ActiveSetOptions {
  /** Whether any member can switch; `false` makes one tight solve (default true). */
  enabled?: boolean;
  /** Start with loose solves (see {@link ActiveSetProblem.solve}); the last pass is always tight. */
  loose: boolean;
  /** Linear solves allowed before the loop counts as stuck. */
  maxPasses: number;
}

/**
 * Run an active-set loop: solve; switch members; stop when none switches after a tight
 * solve. While the set may still change, solves are loose; when a loose solve leaves the
 * set unchanged, the next solve is tight (warm-started by the caller's solver) and checked
 * once more. A set seen before (cycling) or `maxPasses` solves hand over to `onStuck`.
 *
 * @returns the final solution and the number of linear solves.
 * @example
 * ```ts
 * // A tension-only bar under a compressive load: its one member is switched off after the first solve.
 * let active = 1;
 * const { result, passes } = activeSetLoop<number>(
 *   {
 *     solve: () => (active ? -2 : 0), // the member force (N)
 *     update: (force) => {
 *       const want = force > 0 ? 1 : 0;
 *       const changed = Number(want !== active);
 *       active = want;
 *       return changed;
 *     },
 *     key: () => String(active),
 *     apply: () => {},
 *     onStuck: () => {
 *       throw new Error('the set cycles');
 *     },
 *   },
 *   { loose: false, maxPasses: 10 },
 * );
 * console.log(result, passes); // 0 2
 * ```
 */
export function activeSetLoop<R>(problem: ActiveSetProblem<R>, options: ActiveSetOptions): { result: R; passes: number } {
  if (options.enabled === false) return { result: problem.solve(false), passes: 1 };
  const seen = new Set<string>();
  let loose = options.loose;
  for (let passes = 1; ; passes++) {
    const result = problem.solve(loose);
    const changed = problem.update(result);
    if (changed === 0) {
      if (!loose) return { result, passes };
      loose = false; // settled on a loose solve: tighten and check once more
      continue;
    }
    const key = problem.key();
    const cycling = seen.has(key);
    if (cycling || passes >= options.maxPasses) return problem.onStuck({ result, passes, changed, cycling });
    seen.add(key);
    problem.apply();
  }
}

