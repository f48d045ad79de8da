/**
 * WGSL element-wise kernels: the fused PCG updates that read α, β from the
 * device scalar slots, host-scalar axpy/xpby/fill, and the streaming triad
 * used to measure bandwidth. 256 invocations per workgroup; large vectors
 * use a 2-D grid (x ≤ 65535 workgroups), index = (wg.y·nw.x + wg.x)·256 + l.
 */
import { WG } from './reductions.js';

/** Scalar slot indices in the device scalar buffer. */
export const SLOT = { rz: 0, pq: 1, rzNew: 2, rr: 3, dot: 4 } as const;

const index = `let i = (wg.y * nw.x + wg.x) * ${WG}u + l;
  if (i >= P.n) { return; }`;
const builtins = `@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) l: u32`;

/**
 * x ← x + α·p; r ← r − α·q with α = S[rz]/S[pq] (0 when pq ≤ 0 or not finite).
 * Bindings: 0 uniform {n}, 1 S, 2 x, 3 r, 4 p, 5 q.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: UPDATE_SOLUTION_WGSL });
 * ```
 */
export const UPDATE_SOLUTION_WGSL = /* wgsl */ `
struct Params { n: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read> p: array<f32>;
@group(0) @binding(5) var<storage, read> q: array<f32>;
@compute @workgroup_size(${WG})
fn main(${builtins}) {
  ${index}
  let pq = S[${SLOT.pq}];
  var alpha = 0.0;
  if (pq > 0.0 && pq <= 3.4e38) { alpha = S[${SLOT.rz}] / pq; }
  x[i] = x[i] + alpha * p[i];
  r[i] = r[i] - alpha * q[i];
}
`;

/**
 * p ← z + β·p with β = S[rzNew]/S[rz] (0 when rz = 0).
 * Bindings: 0 uniform {n}, 1 S, 2 z, 3 p.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: UPDATE_DIRECTION_WGSL });
 * ```
 */
export const UPDATE_DIRECTION_WGSL = /* wgsl */ `
struct Params { n: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> p: array<f32>;
@compute @workgroup_size(${WG})
fn main(${builtins}) {
  ${index}
  let rz = S[${SLOT.rz}];
  var beta = 0.0;
  if (rz != 0.0) { beta = S[${SLOT.rzNew}] / rz; }
  p[i] = z[i] + beta * p[i];
}
`;

/**
 * One invocation: S[rz] ← S[rzNew] (after every invocation of the direction
 * update has read the old rz; a separate dispatch orders it).
 * Bindings: 0 S.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: COMMIT_RZ_WGSL });
 * ```
 */
export const COMMIT_RZ_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> S: array<f32>;
@compute @workgroup_size(1)
fn main() { S[${SLOT.rz}] = S[${SLOT.rzNew}]; }
`;

/**
 * Host-scalar kernels selected by `op`: 0 y ← y + a·x (axpy), 1 y ← x + a·y
 * (xpby), 2 y ← a (fill), 3 y ← x + a·w (the streaming triad), 4 y ← a·y
 * (scale: axpy/xpby with x = y, since one buffer cannot be bound both
 * read-only and read-write in a dispatch), 5 y ← x (copy), 6 y ← x∘w
 * (element-wise product). Unused inputs are bound to a dummy buffer.
 * Bindings: 0 uniform {n, op, a}, 1 x, 2 w, 3 y.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: AXPBY_WGSL });
 * ```
 */
export const AXPBY_WGSL = /* wgsl */ `
struct Params { n: u32, op: u32, a: f32, p0: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(${WG})
fn main(${builtins}) {
  ${index}
  switch (P.op) {
    case 0u: { y[i] = y[i] + P.a * x[i]; }
    case 1u: { y[i] = x[i] + P.a * y[i]; }
    case 2u: { y[i] = P.a; }
    case 4u: { y[i] = P.a * y[i]; }
    case 5u: { y[i] = x[i]; }
    case 6u: { y[i] = x[i] * w[i]; }
    default: { y[i] = x[i] + P.a * w[i]; }
  }
}
`;

/**
 * The fused smoothing step of the device AMG V-cycle (host coefficients in
 * the uniform): d ← c1·d + c2·(invD∘r); x ← xs·x + d, where c1 = 0 skips
 * reading d and xs = 0 skips reading x (so stale values never leak in).
 * Chebyshev step s of degree m on a level: c1 = ρₛρₛ₋₁, c2 = 2ρₛ/δ
 * (first step c1 = 0, c2 = 1/θ).
 * Bindings: 0 uniform {n, c1, c2, xs}, 1 invD, 2 r, 3 d, 4 x.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: SMOOTH_STEP_WGSL });
 * ```
 */
export const SMOOTH_STEP_WGSL = /* wgsl */ `
struct Params { n: u32, c1: f32, c2: f32, xs: f32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> invD: array<f32>;
@group(0) @binding(2) var<storage, read> r: array<f32>;
@group(0) @binding(3) var<storage, read_write> d: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(${WG})
fn main(${builtins}) {
  ${index}
  var di = P.c2 * (invD[i] * r[i]);
  if (P.c1 != 0.0) { di = di + P.c1 * d[i]; }
  d[i] = di;
  var xi = di;
  if (P.xs != 0.0) { xi = xi + P.xs * x[i]; }
  x[i] = xi;
}
`;
