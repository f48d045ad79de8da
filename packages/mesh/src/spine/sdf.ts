/**
 * Implicit-geometry primitives for the lumbar segment: rigid frames and
 * (approximate) signed distances. Negative inside, positive outside, mm.
 *
 * The distances are exact for capsules and boxes and first-order accurate
 * (distance ≈ F / |∇F|) for superellipses; the voxel classifier only needs them
 * to be accurate within a few millimetres of the surface (shell thicknesses).
 */

/**
 * A rigid frame: local → world is `p_w = R · p_l + t`.
 *
 * Layout (`Float64Array(12)`): `R` row-major in `[0..8]` (its columns are the
 * local x, y, z axes expressed in world coordinates), `t` in `[9..11]` (mm).
 *
 * @example
 * ```ts
 * const f = frameIdentity();
 * const w = frameToWorld(f, [1, 2, 3]); // [1, 2, 3]
 * ```
 */
export type Frame = Float64Array;

/**
 * The identity frame (local = world).
 * @example
 * ```ts
 * const f = frameIdentity(); // world frame
 * ```
 */
export function frameIdentity(): Frame {
  const f = new Float64Array(12);
  f[0] = 1;
  f[4] = 1;
  f[8] = 1;
  return f;
}

/**
 * Composition `a ∘ b`: a frame whose local coordinates are `b`-local inside
 * `a`-local, i.e. `p_w = R_a (R_b p + t_b) + t_a`.
 *
 * @example
 * ```ts
 * const up = frameCompose(frameTranslation(0, 0, 40), frameRotationX(0.1));
 * ```
 */
export function frameCompose(a: Frame, b: Frame): Frame {
  const f = new Float64Array(12);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      f[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
    }
    f[9 + i] = a[3 * i] * b[9] + a[3 * i + 1] * b[10] + a[3 * i + 2] * b[11] + a[9 + i];
  }
  return f;
}

/**
 * Pure translation by (x, y, z) mm.
 * @example
 * ```ts
 * const f = frameTranslation(0, 0, 40); // 40 mm up
 * ```
 */
export function frameTranslation(x: number, y: number, z: number): Frame {
  const f = frameIdentity();
  f[9] = x;
  f[10] = y;
  f[11] = z;
  return f;
}

/**
 * Rotation by `angle` (rad, right-handed) about the x axis: y → z.
 * @example
 * ```ts
 * const f = frameRotationX((10 * Math.PI) / 180); // 10° lordosis
 * ```
 */
export function frameRotationX(angle: number): Frame {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const f = frameIdentity();
  f[4] = c;
  f[5] = -s;
  f[7] = s;
  f[8] = c;
  return f;
}

/**
 * Rotation by `angle` (rad, right-handed) about the y axis: z → x.
 * @example
 * ```ts
 * const f = frameRotationY((-3 * Math.PI) / 180);
 * ```
 */
export function frameRotationY(angle: number): Frame {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const f = frameIdentity();
  f[0] = c;
  f[2] = s;
  f[6] = -s;
  f[8] = c;
  return f;
}

/**
 * Local point → world point (mm).
 * @example
 * ```ts
 * frameToWorld(frameTranslation(0, 0, 40), [0, 0, 1]); // [0, 0, 41]
 * ```
 */
export function frameToWorld(f: Frame, p: ArrayLike<number>): [number, number, number] {
  return [
    f[0] * p[0] + f[1] * p[1] + f[2] * p[2] + f[9],
    f[3] * p[0] + f[4] * p[1] + f[5] * p[2] + f[10],
    f[6] * p[0] + f[7] * p[1] + f[8] * p[2] + f[11],
  ];
}

/**
 * Local direction → world direction (rotation only).
 * @example
 * ```ts
 * const axis = frameDirToWorld(f, [0, 0, 1]); // local z in world
 * ```
 */
export function frameDirToWorld(f: Frame, d: ArrayLike<number>): [number, number, number] {
  return [
    f[0] * d[0] + f[1] * d[1] + f[2] * d[2],
    f[3] * d[0] + f[4] * d[1] + f[5] * d[2],
    f[6] * d[0] + f[7] * d[1] + f[8] * d[2],
  ];
}

/**
 * World point → local point: `p_l = Rᵀ (p_w − t)`.
 * @example
 * ```ts
 * const q = frameToLocal(vertebra.frame, [0, 10, 30]);
 * ```
 */
export function frameToLocal(f: Frame, p: ArrayLike<number>): [number, number, number] {
  const x = p[0] - f[9];
  const y = p[1] - f[10];
  const z = p[2] - f[11];
  return [
    f[0] * x + f[3] * y + f[6] * z,
    f[1] * x + f[4] * y + f[7] * z,
    f[2] * x + f[5] * y + f[8] * z,
  ];
}

/**
 * World-space axis-aligned bounds of a local box `[x0,y0,z0,x1,y1,z1]` carried by
 * frame `f` (the 8 corners transformed), returned in the same layout.
 * @example
 * ```ts
 * const bounds = frameBoxToWorld(v.frame, [-v.a, -v.b, 0, v.a, v.b, v.H]);
 * ```
 */
export function frameBoxToWorld(f: Frame, box: ArrayLike<number>): Float64Array {
  const out = new Float64Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
  for (let c = 0; c < 8; c++) {
    const p = frameToWorld(f, [c & 1 ? box[3] : box[0], c & 2 ? box[4] : box[1], c & 4 ? box[5] : box[2]]);
    for (let k = 0; k < 3; k++) {
      if (p[k] < out[k]) out[k] = p[k];
      if (p[k] > out[3 + k]) out[3 + k] = p[k];
    }
  }
  return out;
}

/**
 * Approximate signed distance (mm) to the superellipse `|x/a|ⁿ + |y/b|ⁿ = 1`.
 *
 * `F = (|x/a|ⁿ + |y/b|ⁿ)^(1/n)` is homogeneous of degree 1, so
 * `d ≈ (F − 1) / |∇F|` with `∂F/∂x = F^(1−n) |x/a|^(n−1) sign(x) / a`.
 *
 * @example
 * ```ts
 * superellipseDistance(25, 0, 20, 15, 2.5); // ≈ 5
 * ```
 */
export function superellipseDistance(x: number, y: number, a: number, b: number, n: number): number {
  const ax = Math.abs(x) / a;
  const ay = Math.abs(y) / b;
  if (ax < 1e-12 && ay < 1e-12) return -Math.min(a, b);
  const px = Math.pow(ax, n - 1);
  const py = Math.pow(ay, n - 1);
  const sum = px * ax + py * ay;
  const F = Math.pow(sum, 1 / n);
  const Fp = F / sum; // F^(1−n) = F / Fⁿ
  const gx = (Fp * px) / a;
  const gy = (Fp * py) / b;
  return (F - 1) / Math.sqrt(gx * gx + gy * gy);
}

/**
 * Normalised superellipse radius `F = (|x/a|ⁿ + |y/b|ⁿ)^(1/n)`: 0 at the
 * centre, 1 on the outline.
 * @example
 * ```ts
 * superellipseRadius(10, 0, 20, 15, 2.5); // 0.5
 * ```
 */
export function superellipseRadius(x: number, y: number, a: number, b: number, n: number): number {
  return Math.pow(Math.pow(Math.abs(x) / a, n) + Math.pow(Math.abs(y) / b, n), 1 / n);
}

/**
 * Signed distance (mm) from point `p` to the capsule of radius `r` around the
 * segment `a`–`b` (all world or all local, mm).
 *
 * @example
 * ```ts
 * capsuleDistance(0, 0, 5, 0, 0, 0, 0, 0, 10, 2); // −2
 * ```
 */
export function capsuleDistance(
  px: number,
  py: number,
  pz: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  r: number,
): number {
  const abx = bx - ax;
  const aby = by - ay;
  const abz = bz - az;
  const apx = px - ax;
  const apy = py - ay;
  const apz = pz - az;
  const ab2 = abx * abx + aby * aby + abz * abz;
  let t = ab2 > 0 ? (apx * abx + apy * aby + apz * abz) / ab2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const dx = apx - t * abx;
  const dy = apy - t * aby;
  const dz = apz - t * abz;
  return Math.sqrt(dx * dx + dy * dy + dz * dz) - r;
}

/**
 * Signed distance (mm) to an axis-aligned box centred at the origin with
 * half-extents `(hx, hy, hz)` and edges rounded by `r` (`r` ≤ every half-extent).
 * @example
 * ```ts
 * roundedBoxDistance(0, 0, 6, 5, 5, 5, 1); // 1
 * ```
 */
export function roundedBoxDistance(x: number, y: number, z: number, hx: number, hy: number, hz: number, r: number): number {
  const qx = Math.abs(x) - hx + r;
  const qy = Math.abs(y) - hy + r;
  const qz = Math.abs(z) - hz + r;
  const ox = qx > 0 ? qx : 0;
  const oy = qy > 0 ? qy : 0;
  const oz = qz > 0 ? qz : 0;
  const outside = Math.sqrt(ox * ox + oy * oy + oz * oz);
  const inside = Math.min(Math.max(qx, qy, qz), 0);
  return outside + inside - r;
}

/**
 * Signed distance (mm) to a 2D rounded rectangle centred at the origin with
 * half-extents `(hx, hy)` and corner radius `r`.
 * @example
 * ```ts
 * roundedRectDistance(7, 0, 5, 3, 1); // 2
 * ```
 */
export function roundedRectDistance(x: number, y: number, hx: number, hy: number, r: number): number {
  const qx = Math.abs(x) - hx + r;
  const qy = Math.abs(y) - hy + r;
  const ox = qx > 0 ? qx : 0;
  const oy = qy > 0 ? qy : 0;
  return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
}
