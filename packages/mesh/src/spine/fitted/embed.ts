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
    let worst = 0;
    for (let s = 0; s < slaves.length; s++) {
      const node = slaves[s];
      const best = this.nearest([xyz[3 * node], xyz[3 * node + 1], xyz[3 * node + 2]], hosts);
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
    const best = this.nearest(p, hosts);
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

  private push(g: number, node: number, best: Nearest): void {
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

  /** The spatial index of a host list (built once per list and length: lists grow while the segment is built). */
  private index(hosts: ArrayLike<number>): HostIndex {
    const hit = this.indexes.get(hosts);
    if (hit && hit.size === hosts.length) return hit;
    const idx = new HostIndex(this.b.coordinates(), this.b.connectivity(), hosts);
    this.indexes.set(hosts, idx);
    return idx;
  }

  private readonly indexes = new WeakMap<ArrayLike<number>, HostIndex>();

  /** Nearest host point to `p` (see {@link HostIndex.nearest}). */
  private nearest(p: ArrayLike<number>, hosts: ArrayLike<number>): Nearest {
    if (hosts.length === 0) throw new InvalidMeshError('body-fitted segment: a tie has no host cells');
    return this.index(hosts).nearest(p);
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

/** The nearest host point: cell, shape values there, distance (mm) and the point. */
interface Nearest {
  cell: number;
  N: Float64Array;
  distance: number;
  point: number[];
}

/**
 * Uniform bucket grid over the host cells' bounding boxes. A query visits
 * buckets in growing cubic shells around the point's bucket and stops once
 * the best distance found is below the shell's distance: every unseen host
 * lies wholly outside the shells visited. Points outside the grid scan all hosts.
 */
class HostIndex {
  readonly size: number;
  private readonly box: Float64Array;
  private readonly lo: number[];
  private readonly cs: number;
  private readonly dims: number[];
  private readonly buckets = new Map<number, number[]>();
  private readonly stamp: Uint32Array;
  private visit = 0;
  private readonly xe = new Float64Array(24);

  constructor(
    private readonly xyz: readonly number[],
    private readonly conn: readonly number[],
    private readonly hosts: ArrayLike<number>,
  ) {
    const nh = hosts.length;
    this.size = nh;
    this.stamp = new Uint32Array(nh);
    const box = (this.box = new Float64Array(6 * nh));
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    let extent = 0;
    for (let h = 0; h < nh; h++) {
      const c = hosts[h];
      box.set([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity], 6 * h);
      for (let a = 0; a < 8; a++) {
        const n = conn[8 * c + a];
        for (let k = 0; k < 3; k++) {
          box[6 * h + k] = Math.min(box[6 * h + k], xyz[3 * n + k]);
          box[6 * h + 3 + k] = Math.max(box[6 * h + 3 + k], xyz[3 * n + k]);
        }
      }
      for (let k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k], box[6 * h + k]);
        hi[k] = Math.max(hi[k], box[6 * h + 3 + k]);
      }
      extent += box[6 * h + 3] - box[6 * h];
    }
    this.lo = lo;
    this.cs = Math.max(extent / Math.max(nh, 1), 1e-6);
    this.dims = [0, 1, 2].map((k) => Math.max(1, Math.min(128, Math.ceil((hi[k] - lo[k]) / this.cs))));
    for (let h = 0; h < nh; h++) {
      const a = [0, 1, 2].map((k) => this.bucketOf(box[6 * h + k], k));
      const b = [0, 1, 2].map((k) => this.bucketOf(box[6 * h + 3 + k], k));
      for (let i = a[0]; i <= b[0]; i++)
        for (let j = a[1]; j <= b[1]; j++)
          for (let l = a[2]; l <= b[2]; l++) {
            const key = i + this.dims[0] * (j + this.dims[1] * l);
            let list = this.buckets.get(key);
            if (!list) this.buckets.set(key, (list = []));
            list.push(h);
          }
    }
  }

  private bucketOf(v: number, k: number): number {
    return Math.max(0, Math.min(this.dims[k] - 1, Math.floor((v - this.lo[k]) / this.cs)));
  }

  /** Nearest point of the hosts to `p` (ties between equally near hosts go to the lower cell id). */
  nearest(p: ArrayLike<number>): Nearest {
    this.visit++;
    const best: { value: Nearest | null } = { value: null };
    const inside = [0, 1, 2].every((k) => p[k] >= this.lo[k] && p[k] < this.lo[k] + this.dims[k] * this.cs);
    if (!inside) {
      for (let h = 0; h < this.size; h++) this.consider(h, p, best);
      return best.value!;
    }
    const c = [0, 1, 2].map((k) => this.bucketOf(p[k], k));
    const maxRing = Math.max(...this.dims);
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let i = c[0] - ring; i <= c[0] + ring; i++)
        for (let j = c[1] - ring; j <= c[1] + ring; j++)
          for (let l = c[2] - ring; l <= c[2] + ring; l++) {
            if (Math.max(Math.abs(i - c[0]), Math.abs(j - c[1]), Math.abs(l - c[2])) !== ring) continue;
            if (i < 0 || j < 0 || l < 0 || i >= this.dims[0] || j >= this.dims[1] || l >= this.dims[2]) continue;
            for (const h of this.buckets.get(i + this.dims[0] * (j + this.dims[1] * l)) ?? []) this.consider(h, p, best);
          }
      // hosts not seen yet lie outside the (2·ring+1)³ block, at least ring·cs away from p
      if (best.value && best.value.distance <= ring * this.cs) break;
    }
    return best.value!;
  }

  private consider(h: number, p: ArrayLike<number>, best: { value: Nearest | null }): void {
    if (this.stamp[h] === this.visit) return;
    this.stamp[h] = this.visit;
    // inside a host already: another host can only share the point on a common face,
    // where the conforming interpolation is the same
    if (best.value && best.value.distance < 1e-12) return;
    let d2 = 0;
    for (let k = 0; k < 3; k++) {
      const o = Math.max(this.box[6 * h + k] - p[k], 0, p[k] - this.box[6 * h + 3 + k]);
      d2 += o * o;
    }
    const b = best.value;
    if (b && Math.sqrt(d2) > b.distance + 1e-12) return;
    const cell = this.hosts[h];
    for (let a = 0; a < 8; a++) for (let k = 0; k < 3; k++) this.xe[3 * a + k] = this.xyz[3 * this.conn[8 * cell + a] + k];
    const hit = nearestInHex(this.xe, p);
    if (!b || hit.distance < b.distance - 1e-12 || (Math.abs(hit.distance - b.distance) <= 1e-12 && cell < b.cell)) {
      best.value = { cell, N: hit.N, distance: hit.distance, point: hit.point };
    }
  }
}
