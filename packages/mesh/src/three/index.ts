/**
 * three.js adapter (`@spinefea/mesh/three`): a {@link SurfaceTriangles} as a
 * `THREE.BufferGeometry` with per-region colours. The only module of the
 * package that imports `three`.
 * @packageDocumentation
 */
import { BufferAttribute, BufferGeometry } from 'three';
import type { SurfaceTriangles } from '../surface.js';

/** RGB colour, components in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** Options of {@link toBufferGeometry}. */
export interface ToBufferGeometryOptions {
  /** Colour per region id; regions without one take {@link DEFAULT_REGION_COLORS}`[id % length]`. */
  colors?: Record<number, Rgb>;
  /**
   * Flat shading: every triangle gets its own 3 vertices and its face normal
   * (sharp edges at the box corners). Default false: vertices are shared
   * within a region and normals are area-weighted averages (smooth bone
   * surfaces).
   */
  flat?: boolean;
}

/** Default region colours (bone-like, disc-like, …), linear RGB in [0, 1]. */
export const DEFAULT_REGION_COLORS: readonly Rgb[] = [
  [0.89, 0.85, 0.79],
  [0.35, 0.6, 0.85],
  [0.85, 0.45, 0.35],
  [0.5, 0.75, 0.45],
  [0.8, 0.7, 0.3],
  [0.6, 0.45, 0.75],
  [0.4, 0.7, 0.7],
  [0.75, 0.55, 0.6],
];

/**
 * Build a `THREE.BufferGeometry` (indexed) with `position` (float32, mm),
 * `normal` (unit, outward) and `color` (float32 RGB) attributes.
 *
 * A mesh node on the boundary of two regions is duplicated, once per
 * region, so colours do not bleed across region interfaces. The geometry's
 * `userData.nodeIds` (Uint32Array) gives the mesh node of each vertex, to
 * colour by nodal results later.
 *
 * @example
 * ```ts
 * import { toBufferGeometry } from '@spinefea/mesh/three';
 * const geom = toBufferGeometry(boundaryTriangles(mesh, { byRegion: true }), { colors: { 0: [0.9, 0.85, 0.8] } });
 * scene.add(new THREE.Mesh(geom, new THREE.MeshStandardMaterial({ vertexColors: true })));
 * ```
 */
export function toBufferGeometry(surface: SurfaceTriangles, options: ToBufferGeometryOptions = {}): BufferGeometry {
  const { positions: p, indices, regionIds } = surface;
  const nt = indices.length / 3;
  const nv = p.length / 3;
  const colorOf = (r: number): Rgb => options.colors?.[r] ?? DEFAULT_REGION_COLORS[r % DEFAULT_REGION_COLORS.length];
  // Vertex key (surface vertex, region) → output vertex.
  const outIndex = new Uint32Array(3 * nt);
  const src: number[] = [];
  const reg: number[] = [];
  if (options.flat) {
    for (let i = 0; i < 3 * nt; i++) {
      outIndex[i] = i;
      src.push(indices[i]);
      reg.push(regionIds[Math.floor(i / 3)]);
    }
  } else {
    const seen = new Map<number, number>();
    for (let i = 0; i < 3 * nt; i++) {
      const r = regionIds[Math.floor(i / 3)];
      const key = r * nv + indices[i];
      let v = seen.get(key);
      if (v === undefined) {
        v = src.length;
        seen.set(key, v);
        src.push(indices[i]);
        reg.push(r);
      }
      outIndex[i] = v;
    }
  }
  const n = src.length;
  const position = new Float32Array(3 * n);
  const color = new Float32Array(3 * n);
  const normal = new Float32Array(3 * n);
  const nodeIds = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    const s = src[v];
    position[3 * v] = p[3 * s];
    position[3 * v + 1] = p[3 * s + 1];
    position[3 * v + 2] = p[3 * s + 2];
    const c = colorOf(reg[v]);
    color[3 * v] = c[0];
    color[3 * v + 1] = c[1];
    color[3 * v + 2] = c[2];
    nodeIds[v] = surface.nodeIds ? surface.nodeIds[s] : s;
  }
  // Area-weighted normals: accumulate (b − a) × (c − a) (twice the triangle area times its unit normal).
  for (let t = 0; t < nt; t++) {
    const a = outIndex[3 * t];
    const b = outIndex[3 * t + 1];
    const c = outIndex[3 * t + 2];
    const ux = position[3 * b] - position[3 * a];
    const uy = position[3 * b + 1] - position[3 * a + 1];
    const uz = position[3 * b + 2] - position[3 * a + 2];
    const wx = position[3 * c] - position[3 * a];
    const wy = position[3 * c + 1] - position[3 * a + 1];
    const wz = position[3 * c + 2] - position[3 * a + 2];
    const nx = uy * wz - uz * wy;
    const ny = uz * wx - ux * wz;
    const nz = ux * wy - uy * wx;
    for (const v of [a, b, c]) {
      normal[3 * v] += nx;
      normal[3 * v + 1] += ny;
      normal[3 * v + 2] += nz;
    }
  }
  for (let v = 0; v < n; v++) {
    const l = Math.hypot(normal[3 * v], normal[3 * v + 1], normal[3 * v + 2]);
    if (l > 0) {
      normal[3 * v] /= l;
      normal[3 * v + 1] /= l;
      normal[3 * v + 2] /= l;
    }
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(position, 3));
  geometry.setAttribute('normal', new BufferAttribute(normal, 3));
  geometry.setAttribute('color', new BufferAttribute(color, 3));
  geometry.setIndex(new BufferAttribute(outIndex, 1));
  geometry.userData.nodeIds = nodeIds;
  geometry.computeBoundingSphere();
  return geometry;
}
