/**
 * Embedding nodes into host hex8 cells: for each slave node the host cell and
 * natural coordinates of the nearest host point (inverse trilinear map by
 * Newton's method, clamped to the cell), giving the tie
 * `u(slave) = Σ_a N_a(ξ) u(host node a)`.
 *
 * A slave inside a host gets its exact interpolation; a slave just outside
 * (where two blocks abut along curved surfaces) is tied to the nearest point
 * of the host's clamped parametric cube, a short rigid link whose length is
 * reported in `gap`. Both are continuous functions of the node positions, so
 * the tie moves smoothly with the parameters (unlike a remesh).
 */
import { InvalidMeshError } from '../../errors.js';
import type { EmbeddedTies, FittedMeshBuilder } from './builder.js';

/** Hex8 corner signs in VTK order. */
const CORNERS = [
  [-1, -1, -1],
  [1, -1, -1],
  [1, 1, -1],
  [-1, 1, -1],
  [-1, -1, 1],
  [1, -1, 1],
  [1, 1, 1],
  [-1, 1, 1],
] as const;

/** Trilinear shape functions and derivatives at ξ. */
function shape(xi: number[], N: Float64Array, dN: Float64Array): void {
  for (let a = 0; a < 8; a++) {
    const [sx, sy, sz] = CORNERS[a];
    const fx = 1 + sx * xi[0];
    const fy = 1 + sy * xi[1];
    const fz = 1 + sz * xi[2];
    N[a] = (fx * fy * fz) / 8;
    dN[3 * a] = (sx * fy * fz) / 8;
    dN[3 * a + 1] = (fx * sy * fz) / 8;
    dN[3 * a + 2] = (fx * fy * sz) / 8;
  }
}

/** Nearest point of a hex (clamped inverse map): natural coordinates, shape values and distance. */
export function nearestInHex(xe: Float64Array, p: ArrayLike<number>): { xi: number[]; N: Float64Array; distance: number; point: number[] } {
  const N = new Float64Array(8);
  const dN = new Float64Array(24);
  const xi = [0, 0, 0];
  for (let it = 0; it < 30; it++) {
    shape(xi, N, dN);
    const r = [-p[0], -p[1], -p[2]];
    const J = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let a = 0; a < 8; a++) {
      for (let i = 0; i < 3; i++) {
        r[i] += N[a] * xe[3 * a + i];
        for (let k = 0; k < 3; k++) J[3 * i + k] += xe[3 * a + i] * dN[3 * a + k];
      }
    }
    const det = J[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (J[3] * J[8] - J[5] * J[6]) + J[2] * (J[3] * J[7] - J[4] * J[6]);
    if (!(Math.abs(det) > 0)) break;
    // δξ = J⁻¹ r (Cramer), ξ ← ξ − δξ; steps limited so far points do not diverge
    const d = [
      (r[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (r[1] * J[8] - J[5] * r[2]) + J[2] * (r[1] * J[7] - J[4] * r[2])) / det,
      (J[0] * (r[1] * J[8] - J[5] * r[2]) - r[0] * (J[3] * J[8] - J[5] * J[6]) + J[2] * (J[3] * r[2] - r[1] * J[6])) / det,
      (J[0] * (J[4] * r[2] - r[1] * J[7]) - J[1] * (J[3] * r[2] - r[1] * J[6]) + r[0] * (J[3] * J[7] - J[4] * J[6])) / det,
    ];
    let step = 0;
    for (let k = 0; k < 3; k++) {
      xi[k] = Math.max(-3, Math.min(3, xi[k] - d[k]));
      step += Math.abs(d[k]);
    }
    if (step < 1e-13) break;
  }
  for (let k = 0; k < 3; k++) xi[k] = Math.max(-1, Math.min(1, xi[k]));
  shape(xi, N, dN);
  const point = [0, 0, 0];
  for (let i = 0; i < 3; i++) for (let a = 0; a < 8; a++) point[i] += N[a] * xe[3 * a + i];
  return { xi, N, distance: Math.hypot(point[0] - p[0], point[1] - p[1], point[2] - p[2]), point };
}

/** Accumulates ties group by group. */
export class TieCollector {
  private names: string[] = [];
  private groupOf: number[] = [];
  private slaves: number[] = [];
  private hostCells: number[] = [];
  private hostNodes: number[] = [];
  private weights: number[] = [];
  private gaps: number[] = [];

  constructor(private readonly b: FittedMeshBuilder) {}

  /**
   * Ties every node of `slaves` to the nearest point of the cells `hosts`.
   * @returns the largest gap (mm).
   */
  tie(name: string, slaves: ArrayLike<number>, hosts: ArrayLike<number>): number {
    const g = this.group(name);
    const xyz = this.b.coordinates();
    const box = this.boxes(hosts);
    let worst = 0;
    for (let s = 0; s < slaves.length; s++) {
      const node = slaves[s];
      const best = this.nearest([xyz[3 * node], xyz[3 * node + 1], xyz[3 * node + 2]], hosts, box);
      this.push(g, node, best);
      worst = Math.max(worst, best.distance);
    }
    return worst;
  }

  /**
   * A new node at the point of `hosts` nearest to `p`, tied there (a ligament
   * insertion that moves continuously over the host's surface).
   * @returns the new node's id.
   */
  anchor(name: string, p: ArrayLike<number>, hosts: ArrayLike<number>): number {
    const best = this.nearest(p, hosts, this.boxes(hosts));
    const node = this.b.addNode(best.point[0], best.point[1], best.point[2]);
    this.push(this.group(name), node, { ...best, distance: 0 });
    return node;
  }

  private group(name: string): number {
    const g = this.names.indexOf(name);
    if (g >= 0) return g;
    this.names.push(name);
    return this.names.length - 1;
  }

  private push(g: number, node: number, best: { cell: number; N: Float64Array; distance: number }): void {
    const conn = this.b.connectivity();
    this.groupOf.push(g);
    this.slaves.push(node);
    this.hostCells.push(best.cell);
    for (let a = 0; a < 8; a++) {
      this.hostNodes.push(conn[8 * best.cell + a]);
      this.weights.push(best.N[a]);
    }
    this.gaps.push(best.distance);
  }

  /** Bounding boxes of the host cells, 6 per host. */
  private boxes(hosts: ArrayLike<number>): Float64Array {
    const xyz = this.b.coordinates();
    const conn = this.b.connectivity();
    const box = new Float64Array(6 * hosts.length);
    for (let h = 0; h < hosts.length; h++) {
      const c = hosts[h];
      box.set([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity], 6 * h);
      for (let a = 0; a < 8; a++) {
        const n = conn[8 * c + a];
        for (let k = 0; k < 3; k++) {
          box[6 * h + k] = Math.min(box[6 * h + k], xyz[3 * n + k]);
          box[6 * h + 3 + k] = Math.max(box[6 * h + 3 + k], xyz[3 * n + k]);
        }
      }
    }
    return box;
  }

  /** Nearest host point to `p`: cells visited in order of their bounding-box distance until none can be closer. */
  private nearest(p: ArrayLike<number>, hosts: ArrayLike<number>, box: Float64Array): { cell: number; N: Float64Array; distance: number; point: number[] } {
    const xyz = this.b.coordinates();
    const conn = this.b.connectivity();
    const nh = hosts.length;
    if (nh === 0) throw new InvalidMeshError('body-fitted segment: a tie has no host cells');
    // lower bound of the distance to each host from its bounding box; the host with the
    // smallest bound is tried first, then every host whose bound beats the best distance
    const lower = new Float64Array(nh);
    let first = 0;
    for (let h = 0; h < nh; h++) {
      let d2 = 0;
      for (let k = 0; k < 3; k++) {
        const o = Math.max(box[6 * h + k] - p[k], 0, p[k] - box[6 * h + 3 + k]);
        d2 += o * o;
      }
      lower[h] = Math.sqrt(d2);
      if (lower[h] < lower[first]) first = h;
    }
    const xe = new Float64Array(24);
    let best: { cell: number; N: Float64Array; distance: number; point: number[] } | null = null;
    const visit = (h: number): void => {
      const c = hosts[h];
      for (let a = 0; a < 8; a++) for (let k = 0; k < 3; k++) xe[3 * a + k] = xyz[3 * conn[8 * c + a] + k];
      const hit = nearestInHex(xe, p);
      // ties between equally near hosts go to the lower host index (deterministic)
      if (!best || hit.distance < best.distance - 1e-12 || (Math.abs(hit.distance - best.distance) <= 1e-12 && c < best.cell)) {
        best = { cell: c, N: hit.N, distance: hit.distance, point: hit.point };
      }
    };
    visit(first);
    for (let h = 0; h < nh; h++) if (h !== first && lower[h] <= best!.distance + 1e-12) visit(h);
    return best!;
  }

  /** The collected ties. */
  result(): EmbeddedTies {
    return {
      names: this.names.slice(),
      groupOf: Uint16Array.from(this.groupOf),
      slaves: Uint32Array.from(this.slaves),
      hostCells: Uint32Array.from(this.hostCells),
      hostNodes: Uint32Array.from(this.hostNodes),
      weights: Float64Array.from(this.weights),
      gap: Float64Array.from(this.gaps),
    };
  }
}
