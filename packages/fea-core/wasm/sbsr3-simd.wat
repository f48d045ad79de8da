;; Symmetric 3×3-block SpMV (Sbsr3Matrix, see src/linalg/bsr3.ts) with WebAssembly SIMD (f64x2).
;; Build: `node packages/fea-core/wasm/build.mjs` (wabt from npm) → src/linalg/sbsr3-simd.wasm.ts.
;;
;; y ← (D + U + Uᵀ)·x over nb block rows, returns xᵀ·y. All arguments are byte offsets into
;; this module's memory: rowPtr (u32, nb+1), colIdx (u32), v (f64, 9 per upper block, row-major),
;; d (f64, 9 per diagonal block), x, y (f64, 3·nb). y must not overlap x.
;;
;; Block (row-major v0 … v8), x_J = (x0, x1, x2), x_I = (xi0, xi1, xi2):
;;   y_I += U·x_J: row r is (v[3r], v[3r+1])·(x0, x1) + v[3r+2]·x2. The pair product stays in an
;;     f64x2 accumulator S_r for the whole block row (horizontal add once at its end), the third
;;     column in a scalar s_r.
;;   y_J += Uᵀ·x_I: (y_J0, y_J1) += (v0, v1)·xi0 + (v3, v4)·xi1 + (v6, v7)·xi2 (contiguous pairs),
;;     y_J2 += v2·xi0 + v5·xi1 + v8·xi2.
(module
  (memory (export "memory") 1)
  (func (export "sbsr3Spmv")
    (param $rp i32) (param $ci i32) (param $v i32) (param $d i32) (param $x i32) (param $y i32) (param $nb i32)
    (result f64)
    (local $I i32) (local $b i32) (local $end i32) (local $o i32) (local $j24 i32) (local $yj i32) (local $yi i32)
    (local $xi0 f64) (local $xi1 f64) (local $xi2 f64) (local $xj2 f64)
    (local $v2 f64) (local $v5 f64) (local $v8 f64)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $dot f64)
    (local $X0 v128) (local $X1 v128) (local $X2 v128) (local $xj01 v128)
    (local $t01 v128) (local $t34 v128) (local $t67 v128)
    (local $S0 v128) (local $S1 v128) (local $S2 v128)
    (memory.fill (local.get $y) (i32.const 0) (i32.mul (local.get $nb) (i32.const 24)))
    (local.set $b (i32.load (local.get $rp)))
    (block $doneI
      (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $I) (local.get $nb)))
        (local.set $yi (i32.mul (local.get $I) (i32.const 24)))
        (local.set $xj01 (v128.load (i32.add (local.get $x) (local.get $yi))))
        (local.set $xi0 (f64x2.extract_lane 0 (local.get $xj01)))
        (local.set $xi1 (f64x2.extract_lane 1 (local.get $xj01)))
        (local.set $xi2 (f64.load offset=16 (i32.add (local.get $x) (local.get $yi))))
        (local.set $X0 (f64x2.splat (local.get $xi0)))
        (local.set $X1 (f64x2.splat (local.get $xi1)))
        (local.set $X2 (f64x2.splat (local.get $xi2)))
        ;; diagonal block D_I·x_I
        (local.set $o (i32.add (local.get $d) (i32.mul (local.get $I) (i32.const 72))))
        (local.set $S0 (f64x2.mul (v128.load (local.get $o)) (local.get $xj01)))
        (local.set $s0 (f64.mul (f64.load offset=16 (local.get $o)) (local.get $xi2)))
        (local.set $S1 (f64x2.mul (v128.load offset=24 (local.get $o)) (local.get $xj01)))
        (local.set $s1 (f64.mul (f64.load offset=40 (local.get $o)) (local.get $xi2)))
        (local.set $S2 (f64x2.mul (v128.load offset=48 (local.get $o)) (local.get $xj01)))
        (local.set $s2 (f64.mul (f64.load offset=64 (local.get $o)) (local.get $xi2)))
        (local.set $end (i32.load offset=4 (i32.add (local.get $rp) (i32.shl (local.get $I) (i32.const 2)))))
        (local.set $o (i32.add (local.get $v) (i32.mul (local.get $b) (i32.const 72))))
        (block $doneB
          (loop $loopB
            (br_if $doneB (i32.ge_u (local.get $b) (local.get $end)))
            (local.set $j24 (i32.mul (i32.load (i32.add (local.get $ci) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 24)))
            (local.set $xj01 (v128.load (i32.add (local.get $x) (local.get $j24))))
            (local.set $xj2 (f64.load offset=16 (i32.add (local.get $x) (local.get $j24))))
            (local.set $t01 (v128.load (local.get $o)))
            (local.set $t34 (v128.load offset=24 (local.get $o)))
            (local.set $t67 (v128.load offset=48 (local.get $o)))
            (local.set $v2 (f64.load offset=16 (local.get $o)))
            (local.set $v5 (f64.load offset=40 (local.get $o)))
            (local.set $v8 (f64.load offset=64 (local.get $o)))
            ;; y_I += U·x_J
            (local.set $S0 (f64x2.add (local.get $S0) (f64x2.mul (local.get $t01) (local.get $xj01))))
            (local.set $S1 (f64x2.add (local.get $S1) (f64x2.mul (local.get $t34) (local.get $xj01))))
            (local.set $S2 (f64x2.add (local.get $S2) (f64x2.mul (local.get $t67) (local.get $xj01))))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $v2) (local.get $xj2))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $v5) (local.get $xj2))))
            (local.set $s2 (f64.add (local.get $s2) (f64.mul (local.get $v8) (local.get $xj2))))
            ;; y_J += Uᵀ·x_I
            (local.set $yj (i32.add (local.get $y) (local.get $j24)))
            (v128.store (local.get $yj)
              (f64x2.add (v128.load (local.get $yj))
                (f64x2.add
                  (f64x2.add (f64x2.mul (local.get $t01) (local.get $X0)) (f64x2.mul (local.get $t34) (local.get $X1)))
                  (f64x2.mul (local.get $t67) (local.get $X2)))))
            (f64.store offset=16 (local.get $yj)
              (f64.add (f64.load offset=16 (local.get $yj))
                (f64.add
                  (f64.add (f64.mul (local.get $v2) (local.get $xi0)) (f64.mul (local.get $v5) (local.get $xi1)))
                  (f64.mul (local.get $v8) (local.get $xi2)))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (local.set $o (i32.add (local.get $o) (i32.const 72)))
            (br $loopB)))
        ;; y_I += (ΣS0 + s0, ΣS1 + s1, ΣS2 + s2)
        (local.set $yi (i32.add (local.get $y) (local.get $yi)))
        (f64.store (local.get $yi) (f64.add (f64.load (local.get $yi))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $S0)) (f64x2.extract_lane 1 (local.get $S0))) (local.get $s0))))
        (f64.store offset=8 (local.get $yi) (f64.add (f64.load offset=8 (local.get $yi))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $S1)) (f64x2.extract_lane 1 (local.get $S1))) (local.get $s1))))
        (f64.store offset=16 (local.get $yi) (f64.add (f64.load offset=16 (local.get $yi))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $S2)) (f64x2.extract_lane 1 (local.get $S2))) (local.get $s2))))
        (local.set $I (i32.add (local.get $I) (i32.const 1)))
        (br $loopI)))
    ;; xᵀ·y (two lanes, then their sum)
    (call $dot (local.get $x) (local.get $y) (i32.mul (local.get $nb) (i32.const 3))))

  ;; Σ x_i·y_i over n f64 entries at byte offsets x, y.
  (func $dot (export "dot") (param $x i32) (param $y i32) (param $n i32) (result f64)
    (local $i i32) (local $end i32) (local $S v128) (local $s f64)
    (local.set $end (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $S (f64x2.add (local.get $S)
          (f64x2.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))
                     (v128.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $loop)))
    (if (i32.lt_u (local.get $end) (local.get $n))
      (then (local.set $s (f64.mul (f64.load (i32.add (local.get $x) (i32.shl (local.get $end) (i32.const 3))))
                                   (f64.load (i32.add (local.get $y) (i32.shl (local.get $end) (i32.const 3))))))))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $S)) (f64x2.extract_lane 1 (local.get $S))) (local.get $s)))
)
