import { CELL_INFO } from '@spinefea/mesh';
import { activeSetLoop } from '../model/active-set.js';
import { prepareModel, type PreparedModel, type StaticSolveOptions, type StaticSolution } from '../model/static-solve.js';
import type { LoadCase } from '../model/model.js';
import { resultFields, type ResultFields } from '../post/results.js';
import { clinicalFigures, instabilityVerdict, type ClinicalFigures } from './clinical.js';
import { axialCompressionLoadCase, pureMomentLoadCase, SPINE_MOTIONS, type SpineMotion } from './load-cases.js';
import type { SpineFeModel } from './spine-model.js';

/** Options of {@link analyzeSpine}. */
export interface SpineAnalysisOptions {
  /** Motions to load (default all six). */
  motions?: readonly SpineMotion[];
  /** Pure moment, N·m (default 7.5). */
  momentNm?: number;
  /** Compressive preload with every moment, N (default 0: the pure-moment protocol of the ROM corridors). */
  preloadN?: number;
  /** Also solve an axial compression case of this force (N) for IDP and axial stiffness (default 500; 0 to skip). */
  compressionN?: number;
  /** Reference ROM per motion (deg) for the instability verdict, e.g. the intact model's. */
  referenceRomDeg?: Partial<Record<SpineMotion, number>>;
  /** Solver options (default: AMG with θ = 0.02, tolerance 1e-8, at most 5000 iterations). */
  solver?: StaticSolveOptions;
  /** Which engine solves (default 'cpu'; shorthand for `solver.backend`, see docs/gpu.md). */
  backend?: StaticSolveOptions['backend'];
  /** Keep the stress fields of every case (for VTU output). */
  keepFields?: boolean;
  /** Progress: case index, count and a message. */
  onProgress?: (info: { caseIndex: number; caseCount: number; message: string }) => void;
  /** Facet active-set passes allowed per load case (default 10). */
  maxFacetIterations?: number;
}

/** One solved load case with its clinical figures. */
export interface SpineCaseResult extends ClinicalFigures {
  motion: SpineMotion | 'compression';
  loadCase: string;
  unstable: boolean;
  instabilityReason: string;
  solver: {
    converged: boolean;
    iterations: number;
    relativeResidual: number;
    ligamentActiveSetIterations: number;
    facetActiveSetIterations: number;
    openFacetCells: number;
    /** Cartilage cells closed by force because the open/closed set cycled (0 when it settled). */
    frozenFacetCells: number;
    timeMs: number;
    /** Which engine solved the case's last linear system, and why (absent on the plain CPU path). */
    backend?: StaticSolution['solver']['backend'];
  };
  /** Displacement and fields, when `keepFields` was set. */
  displacement?: Float64Array;
  fields?: ResultFields;
}

/** The clinical figures of one case as summary.json and every sweep record store them. */
export type SpineCaseSummary = Pick<
  SpineCaseResult,
  | 'romDeg'
  | 'idpMPa'
  | 'loadDistributionEfficiency'
  | 'implantVonMisesPeakMPa'
  | 'implantVonMisesP99MPa'
  | 'implantSectionPeakMPa'
  | 'anteriorLoadShare'
  | 'unstable'
  | 'instabilityReason'
  | 'rotationDeg'
  | 'translationMm'
  | 'implants'
>;

/**
 * The summary.json figures of one solved case (no fields, no solver internals).
 *
 * @example
 * ```ts
 * const rows = analyzeSpine(spine).cases.map(spineCaseSummary);
 * ```
 */
export function spineCaseSummary(c: SpineCaseResult): SpineCaseSummary {
  return {
    romDeg: c.romDeg,
    idpMPa: c.idpMPa,
    loadDistributionEfficiency: c.loadDistributionEfficiency,
    implantVonMisesPeakMPa: c.implantVonMisesPeakMPa,
    implantVonMisesP99MPa: c.implantVonMisesP99MPa,
    implantSectionPeakMPa: c.implantSectionPeakMPa,
    anteriorLoadShare: c.anteriorLoadShare,
    unstable: c.unstable,
    instabilityReason: c.instabilityReason,
    rotationDeg: c.rotationDeg,
    translationMm: c.translationMm,
    implants: c.implants,
  };
}

/** The analysis of one configuration. */
export interface SpineAnalysisResult {
  cases: SpineCaseResult[];
  /** Axial compressive stiffness F / δz of the reference node under the compression case (N/mm). */
  axialStiffnessNPerMm: number | null;
  model: { nodes: number; cells: number; dofs: number; freeDofs: number };
  timings: { prepareMs: number; totalMs: number };
  prepared: PreparedModel;
}

/**
 * Strain that opens a facet cartilage cell, summed over its sampling points: across the
 * joint, ε_nn = nᵀ·ε·n = n_x²ε_xx + n_y²ε_yy + n_z²ε_zz + n_x n_y γ_xy + n_y n_z γ_yz + n_z n_x γ_zx
 * (Voigt, engineering shear), where the segment knows the joint normal (body-fitted);
 * otherwise the volumetric strain ε_xx + ε_yy + ε_zz (voxel cartilage has no normal).
 */
function openingStrain(strain: Float64Array, samplingPoints: number, normals: Float32Array | undefined, c: number): number {
  const nx = normals?.[3 * c] ?? 0;
  const ny = normals?.[3 * c + 1] ?? 0;
  const nz = normals?.[3 * c + 2] ?? 0;
  const across = nx !== 0 || ny !== 0 || nz !== 0;
  let e = 0;
  for (let q = 0; q < samplingPoints; q++) {
    const s = strain.subarray(6 * q, 6 * q + 6);
    e += across ? nx * nx * s[0] + ny * ny * s[1] + nz * nz * s[2] + nx * ny * s[3] + ny * nz * s[4] + nz * nx * s[5] : s[0] + s[1] + s[2];
  }
  return e;
}

/**
 * Facet contact through the cartilage layer, linearised by an active set on cells:
 * solve; every cartilage cell whose opening strain is positive (strain across the joint
 * where the mesh gives its normal, else volumetric: see {@link openingStrain}) is softened to `openFacetScale` of its stiffness, every softened cell that
 * is compressed again is restored; repeat until no cell changes. If the set cycles
 * (or exceeds `maxFacetIterations`), the cells still switching are closed and the
 * result says how many (`frozenFacetCells`). The loop is the shared {@link activeSetLoop}. The cost against
 * real contact: no sliding friction or separation of surfaces — shear is carried by
 * the closed cells as by a bonded layer — and each pass is a re-assembly and a solve.
 */
function solveWithFacetContact(
  spine: SpineFeModel,
  prepared: PreparedModel,
  lc: LoadCase,
  options: SpineAnalysisOptions,
): { sol: StaticSolution; passes: number; open: number; iterations: number; frozenCells: number } {
  const mesh = spine.model.mesh;
  const family = prepared.family;
  const n = CELL_INFO[mesh.cellType].nodesPerCell;
  const cart: number[] = [];
  for (let c = 0; c < mesh.materialIds.length; c++) if (spine.regions.kindOf[mesh.materialIds[c]] === 'facetCartilage') cart.push(c);
  const scale = new Float64Array(mesh.materialIds.length).fill(1);
  const normals = spine.segment.facetNormals;
  prepared.setCellScale(null);
  const xe = new Float64Array(3 * n);
  const ue = new Float64Array(3 * n);
  const strain = new Float64Array(6 * family.samplingPoints);
  let iterations = 0;
  let open = 0;
  let frozenCells = 0;
  let switched: number[] = [];
  // Loose solves decide the open/closed set; the last pass is solved to the full tolerance.
  const tight = options.solver?.tolerance ?? 1e-8;
  const solve = (loose: boolean): StaticSolution => {
    const sol = prepared.solve(lc, loose ? { ...options.solver, tolerance: Math.max(tight, 1e-5) } : options.solver);
    iterations += sol.solver.iterations;
    return sol;
  };
  const { result, passes } = activeSetLoop<StaticSolution>(
    {
      solve,
      update(sol) {
        switched = [];
        open = 0;
        for (const c of cart) {
          for (let a = 0; a < n; a++) {
            const p = 3 * mesh.cells[c * n + a];
            for (let k = 0; k < 3; k++) {
              xe[3 * a + k] = mesh.nodes[p + k];
              ue[3 * a + k] = sol.displacement[p + k];
            }
          }
          family.strain(xe, ue, strain);
          const want = openingStrain(strain, family.samplingPoints, normals, c) > 0 ? spine.calibration.openFacetScale : 1;
          if (want !== scale[c]) {
            scale[c] = want;
            switched.push(c);
          }
          if (scale[c] !== 1) open++;
        }
        return switched.length;
      },
      key: () => cart.map((c) => (scale[c] === 1 ? 1 : 0)).join(''),
      apply: () => prepared.setCellScale(scale),
      onStuck(stuck) {
        // The set cycles (cells at the edge of the contact zone flip back and forth, each
        // state implying the other) or does not settle: close the switching cells — the
        // conservative, stiffer choice — and solve once more to the full tolerance.
        for (const c of switched) scale[c] = 1;
        prepared.setCellScale(scale);
        const last = solve(false);
        open = 0;
        for (const c of cart) if (scale[c] !== 1) open++;
        frozenCells = switched.length;
        return { result: last, passes: stuck.passes + 1 };
      },
    },
    { enabled: cart.length > 0, loose: true, maxPasses: options.maxFacetIterations ?? 10 },
  );
  return { sol: result, passes, open, iterations, frozenCells };
}

/**
 * Run the in-vitro protocol on one configuration: each motion under a pure moment
 * (plus optional preload) and an axial compression case, with tension-only
 * ligaments and compression-only facets, and compute the clinical figures.
 *
 * @example
 * ```ts
 * const spine = buildSpineFeModel(buildLumbarSegment({ ...defaultParameters('L4'), resolution: 2 }));
 * const res = analyzeSpine(spine, { motions: ['flexion', 'extension'] });
 * console.log(res.cases.map((c) => `${c.motion}: ${c.romDeg.toFixed(2)}°`));
 * ```
 */
export function analyzeSpine(spine: SpineFeModel, options: SpineAnalysisOptions = {}): SpineAnalysisResult {
  const steps = analysisSteps(spine, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link analyzeSpine} that yields to the event loop between load cases, so progress
 * output, timers and test runners stay responsive during a long analysis.
 */
export async function analyzeSpineAsync(spine: SpineFeModel, options: SpineAnalysisOptions = {}): Promise<SpineAnalysisResult> {
  const steps = analysisSteps(spine, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The analysis as a generator: one step per load case (after the preparation). */
function* analysisSteps(spine: SpineFeModel, options: SpineAnalysisOptions): Generator<void, SpineAnalysisResult> {
  const t0 = performance.now();
  // Spine contrast (bone 12 GPa, nucleus 1 MPa at ν 0.499) needs multigrid: block Jacobi takes
  // thousands of iterations. θ = 0.02 keeps the hierarchy sparse on this mesh (measured).
  const opts: StaticSolveOptions = { preconditioner: 'amg', amg: { strengthThreshold: 0.02 }, maxIterations: 5000, ...options.solver, ...(options.backend ? { backend: options.backend } : {}) };
  const motions = options.motions ?? SPINE_MOTIONS;
  const momentNm = options.momentNm ?? 7.5;
  const preloadN = options.preloadN ?? 0;
  const compressionN = options.compressionN ?? 500;
  const cases: { motion: SpineMotion | 'compression'; lc: LoadCase }[] = motions.map((m) => ({
    motion: m,
    lc: pureMomentLoadCase(m, { momentNm, preloadN, reference: spine.reference }),
  }));
  if (compressionN > 0) cases.push({ motion: 'compression', lc: axialCompressionLoadCase(compressionN, spine.reference) });
  options.onProgress?.({ caseIndex: 0, caseCount: cases.length, message: 'assembling' });
  const prepared = prepareModel(spine.model, opts);
  options = { ...options, solver: opts };
  const tPrep = performance.now();
  yield;
  const results: SpineCaseResult[] = [];
  let axialStiffnessNPerMm: number | null = null;
  for (const [i, { motion, lc }] of cases.entries()) {
    options.onProgress?.({ caseIndex: i, caseCount: cases.length, message: lc.name ?? motion });
    const ts = performance.now();
    const { sol, passes, open, iterations, frozenCells } = solveWithFacetContact(spine, prepared, lc, options);
    const fields = resultFields(spine.model.mesh, prepared.dLookup, sol.displacement);
    const fig = clinicalFigures(spine, sol, fields, motion, prepared.dLookup);
    const verdict = instabilityVerdict(motion, fig, momentNm, motion === 'compression' ? undefined : options.referenceRomDeg?.[motion]);
    if (motion === 'compression') {
      const dz = -(sol.referenceMotion[spine.reference]?.translation[2] ?? 0);
      axialStiffnessNPerMm = dz > 0 ? compressionN / dz : null;
    }
    results.push({
      motion,
      loadCase: lc.name ?? String(motion),
      ...fig,
      unstable: verdict.unstable,
      instabilityReason: verdict.reason,
      solver: {
        converged: sol.solver.converged,
        iterations,
        relativeResidual: sol.solver.relativeResidual,
        ligamentActiveSetIterations: sol.solver.activeSetIterations,
        facetActiveSetIterations: passes,
        openFacetCells: open,
        frozenFacetCells: frozenCells,
        timeMs: performance.now() - ts,
        ...(sol.solver.backend ? { backend: sol.solver.backend } : {}),
      },
      ...(options.keepFields ? { displacement: sol.displacement, fields } : {}),
    });
    yield;
  }
  const mesh = spine.model.mesh;
  return {
    cases: results,
    axialStiffnessNPerMm,
    model: { nodes: mesh.nodes.length / 3, cells: mesh.materialIds.length, dofs: prepared.transform.layout.totalDofs, freeDofs: prepared.transform.freeDofs },
    timings: { prepareMs: tPrep - t0, totalMs: performance.now() - t0 },
    prepared,
  };
}
