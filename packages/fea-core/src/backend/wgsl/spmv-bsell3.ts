/**
 * WGSL SpMV for 3×3-block sliced ELLPACK (BSELL3, see `bsell3FromCsr`).
 *
 * One invocation per block row I (3 scalar rows), one workgroup per slice
 * of {@link BSELL3_SLICE} block rows. Stored block k of lane l in slice s
 * sits at block index `off[s] + k·64 + l`, so the 64 lanes of a workgroup
 * read 64 consecutive 36-byte blocks at every k (coalesced), and each block
 * costs one column index for 9 values (4.4 B/nonzero in f32 instead of 8 B
 * for scalar CSR). Values may be split over four bindings because one
 * storage binding is limited (2 GiB on the H100, 128 MiB default): chunk c
 * holds blocks `[split[c-1], split[c])`, splits fall on slice boundaries so
 * the chunk branch is uniform in a workgroup.
 *
 * y_{3I+i} ← α · Σ_k Σ_j V[b_k](i, j) · x_{3·col[b_k]+j}  +  β · y_{3I+i}
 *
 * (α = 1, β = 0 is the plain product; β = 0 never reads y. The V-cycle uses
 * α = −1, β = 1 for r ← r − A·d and α = β = 1 for x ← x + P·x_c.) The
 * matrix may be rectangular: block columns index x in groups of three,
 * x's buffer is padded to a whole block.
 */

/** Block rows per slice = workgroup size of the SpMV kernel. */
export const BSELL3_SLICE = 64;

/**
 * The SpMV shader. Bindings: 0 uniform {blockRows, slices, split1..3, α, β},
 * 1 slice table (offset, width per slice), 2 block columns, 3–6 value
 * chunks, 7 x, 8 y.
 *
 * @example
 * ```ts
 * device.createShaderModule({ code: SPMV_BSELL3_WGSL });
 * ```
 */
export const SPMV_BSELL3_WGSL = /* wgsl */ `
struct Params { blockRows: u32, slices: u32, split1: u32, split2: u32, split3: u32, alpha: f32, beta: f32, p2: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> sliceInfo: array<u32>;
@group(0) @binding(2) var<storage, read> col: array<u32>;
@group(0) @binding(3) var<storage, read> v0: array<f32>;
@group(0) @binding(4) var<storage, read> v1: array<f32>;
@group(0) @binding(5) var<storage, read> v2: array<f32>;
@group(0) @binding(6) var<storage, read> v3: array<f32>;
@group(0) @binding(7) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<storage, read_write> y: array<f32>;

fn val(b: u32, e: u32) -> f32 {
  if (b < P.split1) { return v0[9u * b + e]; }
  if (b < P.split2) { return v1[9u * (b - P.split1) + e]; }
  if (b < P.split3) { return v2[9u * (b - P.split2) + e]; }
  return v3[9u * (b - P.split3) + e];
}

@compute @workgroup_size(${BSELL3_SLICE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) l: u32) {
  let s = wg.y * nw.x + wg.x;
  if (s >= P.slices) { return; }
  let I = s * ${BSELL3_SLICE}u + l;
  if (I >= P.blockRows) { return; }
  let off = sliceInfo[2u * s];
  let w = sliceInfo[2u * s + 1u];
  var y0 = 0.0;
  var y1 = 0.0;
  var y2 = 0.0;
  for (var k = 0u; k < w; k++) {
    let b = off + k * ${BSELL3_SLICE}u + l;
    let J = 3u * col[b];
    let x0 = x[J];
    let x1 = x[J + 1u];
    let x2 = x[J + 2u];
    y0 += val(b, 0u) * x0 + val(b, 1u) * x1 + val(b, 2u) * x2;
    y1 += val(b, 3u) * x0 + val(b, 4u) * x1 + val(b, 5u) * x2;
    y2 += val(b, 6u) * x0 + val(b, 7u) * x1 + val(b, 8u) * x2;
  }
  if (P.beta != 0.0) {
    y[3u * I] = P.alpha * y0 + P.beta * y[3u * I];
    y[3u * I + 1u] = P.alpha * y1 + P.beta * y[3u * I + 1u];
    y[3u * I + 2u] = P.alpha * y2 + P.beta * y[3u * I + 2u];
  } else {
    y[3u * I] = P.alpha * y0;
    y[3u * I + 1u] = P.alpha * y1;
    y[3u * I + 2u] = P.alpha * y2;
  }
}
`;
