/**
 * The O-grid ("butterfly") section shared by every round part of the
 * body-fitted segment: a square core of `n × n` quads surrounded by rings of
 * `4n` quads. Its topology depends only on integers; where its nodes go is
 * given by curves evaluated at fixed parameters, so node positions are smooth
 * functions of the curves and hence of the anatomy's parameters.
 *
 * Layout: section node `i` is either a core node (`ring[i] = −1`) with square
 * coordinates `q[2i], q[2i+1] ∈ [−1, 1]`, or a ring node on ring level
 * `ring[i] ≥ 0` (level 0 is the core's boundary) at perimeter position
 * `perimeter[i]` whose square-boundary point is `q`.
 */

/** Topology of an O-grid section. */
export interface OGridSection {
  /** Core cells per side. */
  n: number;
  /** Ring levels beyond the core boundary (the section has `levels` rings of quads). */
  levels: number;
  /** Node count. */
  nodeCount: number;
  /** Square coordinates per node (2 per node): core nodes inside [−1,1]², ring nodes on its boundary. */
  q: Float64Array;
  /** Ring level per node, −1 for interior core nodes. */
  ring: Int16Array;
  /** Quads, 4 node ids each, counter-clockwise in the square coordinates. */
  quads: Uint32Array;
  /** Ring index of each quad (−1 for core quads; quad between levels ℓ and ℓ+1 has ℓ). */
  quadRing: Int16Array;
  /** Node id of ring level ℓ at perimeter position p: `ringNode[ℓ·4n + p]`. */
  ringNode: Uint32Array;
}

/** Square-boundary point of perimeter position `p` of `4n` (counter-clockwise from (1, −1)). */
function squareBoundary(p: number, n: number): [number, number] {
  const side = Math.floor(p / n);
  const t = -1 + (2 * (p - side * n)) / n;
  switch (side) {
    case 0:
      return [1, t];
    case 1:
      return [-t, 1];
    case 2:
      return [-1, -t];
    default:
      return [t, -1];
  }
}

/**
 * Builds the O-grid topology.
 * @param n - core cells per side (≥ 1); the perimeter has `4n` segments.
 * @param levels - ring levels outside the core (≥ 1).
 * @example
 * ```ts
 * const s = oGridSection(4, 3); // 16 core quads + 3 rings of 16
 * ```
 */
export function oGridSection(n: number, levels: number): OGridSection {
  const P = 4 * n;
  const coreNodes = (n + 1) * (n + 1);
  const nodeCount = coreNodes + levels * P;
  const q = new Float64Array(2 * nodeCount);
  const ring = new Int16Array(nodeCount).fill(-1);
  const ringNode = new Uint32Array((levels + 1) * P);
  const coreId = (i: number, j: number): number => i + (n + 1) * j;
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const id = coreId(i, j);
      q[2 * id] = -1 + (2 * i) / n;
      q[2 * id + 1] = -1 + (2 * j) / n;
    }
  }
  // level 0 = the core boundary nodes, found by their square position
  for (let p = 0; p < P; p++) {
    const [x, y] = squareBoundary(p, n);
    const id = coreId(Math.round(((x + 1) * n) / 2), Math.round(((y + 1) * n) / 2));
    ringNode[p] = id;
    ring[id] = 0;
  }
  for (let l = 1; l <= levels; l++) {
    for (let p = 0; p < P; p++) {
      const id = coreNodes + (l - 1) * P + p;
      const [x, y] = squareBoundary(p, n);
      q[2 * id] = x;
      q[2 * id + 1] = y;
      ring[id] = l;
      ringNode[l * P + p] = id;
    }
  }
  const quads = new Uint32Array(4 * (n * n + levels * P));
  const quadRing = new Int16Array(n * n + levels * P);
  let c = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      quads.set([coreId(i, j), coreId(i + 1, j), coreId(i + 1, j + 1), coreId(i, j + 1)], 4 * c);
      quadRing[c++] = -1;
    }
  }
  for (let l = 0; l < levels; l++) {
    for (let p = 0; p < P; p++) {
      const p1 = (p + 1) % P;
      // inner p → outer p → outer p+1 → inner p+1 runs counter-clockwise (the perimeter runs CCW, outward is to its right)
      quads.set([ringNode[l * P + p], ringNode[(l + 1) * P + p], ringNode[(l + 1) * P + p1], ringNode[l * P + p1]], 4 * c);
      quadRing[c++] = l;
    }
  }
  return { n, levels, nodeCount, q, ring, quads, quadRing, ringNode };
}

/**
 * A closed section curve: the point (2-D, mm) for the square-boundary point
 * `(qx, qy)` (`max(|qx|, |qy|) = 1`).
 */
export type SectionCurve = (qx: number, qy: number) => [number, number];

/**
 * Places a section: the core is the image of the square under `core` (an
 * affine map keeps its cells rectangles), and ring level ℓ lies between the
 * interface curves bracketing it: `interfaces[k]` sits at ring level
 * `interfaceLevels[k]` (the first must be 0 and match the core's image of
 * the square boundary; the last must be `section.levels`), levels in between
 * are linear blends with the given `grading` (0 → uniform).
 *
 * @returns `Float64Array(2·nodeCount)`, mm.
 * @example
 * ```ts
 * const s = oGridSection(2, 2);
 * const xy = placeSection(s, (x, y) => [5 * x, 5 * y], [0, 2], [(x, y) => [5 * x, 5 * y], (x, y) => { const r = Math.hypot(x, y); return [10 * x / r, 10 * y / r]; }]);
 * ```
 */
export function placeSection(
  section: OGridSection,
  core: SectionCurve,
  interfaceLevels: readonly number[],
  interfaces: readonly SectionCurve[],
): Float64Array {
  const out = new Float64Array(2 * section.nodeCount);
  const { q, ring } = section;
  for (let i = 0; i < section.nodeCount; i++) {
    const qx = q[2 * i];
    const qy = q[2 * i + 1];
    const l = ring[i];
    let xy: [number, number];
    if (l <= 0) xy = core(qx, qy);
    else {
      let k = 0;
      while (interfaceLevels[k + 1] < l) k++;
      const l0 = interfaceLevels[k];
      const l1 = interfaceLevels[k + 1];
      const t = (l - l0) / (l1 - l0);
      if (t === 1) xy = interfaces[k + 1](qx, qy);
      else {
        const a = interfaces[k](qx, qy);
        const b = interfaces[k + 1](qx, qy);
        xy = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      }
    }
    out[2 * i] = xy[0];
    out[2 * i + 1] = xy[1];
  }
  return out;
}

/**
 * Unit direction of a square-boundary point on the circle: `q / |q|`. Rays
 * of the ring curves start from the section centre in this direction
 * (stretched by the part's aspect ratio where a curve needs it).
 * @example
 * ```ts
 * circleDirection(1, 1); // [0.707, 0.707]
 * ```
 */
export function circleDirection(qx: number, qy: number): [number, number] {
  const r = Math.hypot(qx, qy);
  return [qx / r, qy / r];
}

/**
 * Ellipse curve of semi-axes `a`, `b` centred at `(cx, cy)`, parametrised by the circle direction of `q`.
 * @example
 * ```ts
 * const c = ellipseCurve(10, 5, 0, 0); c(1, 0); // [10, 0]
 * ```
 */
export function ellipseCurve(a: number, b: number, cx: number, cy: number): SectionCurve {
  return (qx, qy) => {
    const [ux, uy] = circleDirection(qx, qy);
    return [cx + a * ux, cy + b * uy];
  };
}

/**
 * Rectangle curve (the image of the square under `(x, y) ↦ (cx + a·x, cy + b·y)`): the O-grid core boundary.
 * @example
 * ```ts
 * const c = rectangleCurve(4, 3, 0, 0); c(1, 1); // [4, 3]
 * ```
 */
export function rectangleCurve(a: number, b: number, cx: number, cy: number): SectionCurve {
  return (qx, qy) => [cx + a * qx, cy + b * qy];
}

/**
 * The round section of the small parts (pedicles, processes, pillars, facet plates,
 * screws, rods) at refinement r: a 2r × 2r core and r rings (perimeter 8r); `xy(a, b)`
 * places it in an ellipse of semi-axes a, b (mm) around the origin.
 * @example
 * ```ts
 * const round = roundSection(2);
 * const xy = round.xy(3.25, 3.25); // a Ø 6.5 mm screw section
 * ```
 */
export function roundSection(r: number): { section: OGridSection; xy: (a: number, b: number) => Float64Array } {
  const section = oGridSection(2 * r, r);
  return {
    section,
    xy: (a, b) => {
      const core = rectangleCurve(0.5 * a, 0.5 * b, 0, 0);
      return placeSection(section, core, [0, r], [core, ellipseCurve(a, b, 0, 0)]);
    },
  };
}
