/**
 * WGSL reductions: two-stage sums. Stage 1 runs a fixed number of
 * workgroups (≤ {@link REDUCE_GROUPS}) of 256 invocations over the vector
 * with a grid-stride loop and a shared-memory tree, one partial sum per
 * workgroup; stage 2 is one workgroup that sums the partials and writes a
 * scalar slot. The sums never leave the device.
 */

/** Workgroups of a stage-1 reduction (partials per sum). */
export const REDUCE_GROUPS = 1024;

/** Invocations per workgroup of reductions and vector kernels. */
export const WG = 256;

const tree = (names: string[]) => `
  workgroupBarrier();
  for (var o = ${WG / 2}u; o > 0u; o = o >> 1u) {
    if (l < o) { ${names.map((n) => `${n}[l] += ${n}[l + o];`).join(' ')} }
    workgroupBarrier();
  }`;

/**
 * Stage 1 of the two dots rᵀz and rᵀr, one pair of partial sums per workgroup
 * (partial[2g], partial[2g+1]); with `jacobi` the pass also writes z ← invD∘r
 * (binding 1 is then invD and r, z, partial shift by one).
 */
const twoDotsPartialWgsl = (jacobi: boolean) => /* wgsl */ `
struct Params { n: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> P: Params;
${
  jacobi
    ? `@group(0) @binding(1) var<storage, read> invD: array<f32>;
@group(0) @binding(2) var<storage, read> r: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> r: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;`
}
var<workgroup> sz: array<f32, ${WG}>;
var<workgroup> sr: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  var rz = 0.0;
  var rr = 0.0;
  for (var i = wg.x * ${WG}u + l; i < P.n; i += nw.x * ${WG}u) {
    let ri = r[i];
${
  jacobi
    ? `    let zi = invD[i] * ri;
    z[i] = zi;
    rz += ri * zi;`
    : `    rz += ri * z[i];`
}
    rr += ri * ri;
  }
  sz[l] = rz;
  sr[l] = rr;${tree(['sz', 'sr'])}
  if (l == 0u) { partial[2u * wg.x] = sz[0]; partial[2u * wg.x + 1u] = sr[0]; }
}
`;

/**
 * Stage 1 of `aᵀb`: partial[g] = Σ over the workgroup's grid-stride share.
 * Bindings: 0 uniform {n}, 1 a, 2 b, 3 partial.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: DOT_PARTIAL_WGSL });
 * ```
 */
export const DOT_PARTIAL_WGSL = /* wgsl */ `
struct Params { n: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  var s = 0.0;
  for (var i = wg.x * ${WG}u + l; i < P.n; i += nw.x * ${WG}u) { s += a[i] * b[i]; }
  sh[l] = s;${tree(['sh'])}
  if (l == 0u) { partial[wg.x] = sh[0]; }
}
`;

/**
 * Fused Jacobi step with two partial sums: z ← invD∘r,
 * partial[2g] = Σ rᵢzᵢ, partial[2g+1] = Σ rᵢ².
 * Bindings: 0 uniform {n}, 1 invD, 2 r, 3 z, 4 partial.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: JACOBI_DOTS_WGSL });
 * ```
 */
export const JACOBI_DOTS_WGSL = twoDotsPartialWgsl(true);

/**
 * Stage 2: one workgroup sums `count` partials of `comps` (1 or 2)
 * interleaved components into scalar slots `slot0` (and `slot1`).
 * Bindings: 0 uniform {count, comps, slot0, slot1}, 1 partial, 2 scalars.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: REDUCE_FINAL_WGSL });
 * ```
 */
export const REDUCE_FINAL_WGSL = /* wgsl */ `
struct Params { count: u32, comps: u32, slot0: u32, slot1: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
var<workgroup> s0: array<f32, ${WG}>;
var<workgroup> s1: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) l: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var i = l; i < P.count; i += ${WG}u) {
    a += partial[P.comps * i];
    if (P.comps == 2u) { b += partial[2u * i + 1u]; }
  }
  s0[l] = a;
  s1[l] = b;${tree(['s0', 's1'])}
  if (l == 0u) {
    S[P.slot0] = s0[0];
    if (P.comps == 2u) { S[P.slot1] = s1[0]; }
  }
}
`;

/**
 * Stage 1 of the two dots after a general preconditioner (z is only read):
 * partial[2g] = Σ rᵢzᵢ, partial[2g+1] = Σ rᵢ²; stage 2 is
 * {@link REDUCE_FINAL_WGSL} with comps = 2 into the rzNew and rr slots.
 * Bindings: 0 uniform {n}, 1 r, 2 z, 3 partial.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: RESIDUAL_DOTS_WGSL });
 * ```
 */
export const RESIDUAL_DOTS_WGSL = twoDotsPartialWgsl(false);
