;; gemm.wat: the WebAssembly SIMD matrix-matrix kernel behind gemm.ts (the trainer's hot path).
;; Assemble with `node scripts/build-wasm.mjs` (writes gemm-wasm.ts; commit both).
;;
;; gemm(a, lda, ks, pb, c, ldc, m, k, panels), addresses and strides in bytes in the imported memory:
;;   C[i][8p + j] += sum over q < k of A[i][q] · Bp[p][q][j], for i < m, p < panels, j < 8,
;;   where A[i][q] is at a + i·lda + q·ks (ks = 4 for a row-major A; lda = 4 and ks = its row
;;   stride for a transposed one, read in place), row i of C at c + i·ldc, and B is packed in
;;   panels of 8 columns: Bp[p][q][0..8) at pb + 32·(p·k + q) (gemm.ts packs it).
;; Rows go four at a time (8 accumulators, 2 B vectors and a splat of A: 11 vector registers,
;; under the 15 V8 gives wasm on x64, so nothing spills), then one at a time. Measured here:
;; 4x8 measured faster here than 6x8 (which spills) and than a k loop unrolled twice.
;; No address needs to be aligned.
;;
;; lstm_forward(z, cprev, c, h, rows, units) and lstm_backward(a, c, cprev, dh, dhn, dc, dz, rows,
;; units): one LSTM step's element-wise part for `rows` batch rows, 4 units at a time (units
;; must be a multiple of 4; gemm.ts has a plain-JS version for the rest). Rows of z/a/dz hold
;; the four gates i, f, c, o of `units` each (Keras order); c, cprev, h, dh, dhn, dc are
;; [rows, units]. Forward turns z into the gate activations in place and writes c and h.
;; Backward reads the activations, c, cprev and the output gradient dh + dhn, writes the
;; pre-activation gradients dz and replaces the carried cell gradient dc by dc·f.
;;
;; gemm_blocked(a, lda, ks, pb, c, ldc, m, k, panels, p0, p1): gemm over panels [p0, p1) of a B of
;; `panels` panels packed in blocks of 256 rows (gemm.ts's layout), in blocks of 128 rows of A
;; (a block of A stays in L2, a block of a panel in L1).
;; lstm_forward_seq / lstm_backward_seq: a whole LSTM window for batch rows [r0, r1): the
;; recurrent product and the element-wise step for every step, forward, or backward through
;; time. Rows are independent, so two threads can take one half each. units % 8 == 0.
;; exp is Cephes' expf (range reduction by ln 2, degree-6 polynomial, about 2 ulp);
;; sigmoid(x) = 1 / (1 + exp(-x)), tanh(x) = 1 - 2 / (exp(2x) + 1).
(module
  ;; shared, so a second thread (a worker with its own instance) can work on the same data
  (import "env" "memory" (memory 1 65536 shared))
  (func $mk (param $a i32) (param $lda i32) (param $ks i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $k i32)
    (local $ko i32) (local $kend i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $a0 i32) (local $c0 i32) (local $x00 v128) (local $x01 v128)
    (local $a1 i32) (local $c1 i32) (local $x10 v128) (local $x11 v128)
    (local $a2 i32) (local $c2 i32) (local $x20 v128) (local $x21 v128)
    (local $a3 i32) (local $c3 i32) (local $x30 v128) (local $x31 v128)
    (local.set $a0 (i32.add (local.get $a) (i32.const 0)))
    (local.set $c0 (i32.add (local.get $c) (i32.const 0)))
    (local.set $x00 (v128.load offset=0 (local.get $c0)))
    (local.set $x01 (v128.load offset=16 (local.get $c0)))
    (local.set $a1 (i32.add (local.get $a) (i32.mul (local.get $lda) (i32.const 1))))
    (local.set $c1 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))
    (local.set $x10 (v128.load offset=0 (local.get $c1)))
    (local.set $x11 (v128.load offset=16 (local.get $c1)))
    (local.set $a2 (i32.add (local.get $a) (i32.mul (local.get $lda) (i32.const 2))))
    (local.set $c2 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))
    (local.set $x20 (v128.load offset=0 (local.get $c2)))
    (local.set $x21 (v128.load offset=16 (local.get $c2)))
    (local.set $a3 (i32.add (local.get $a) (i32.mul (local.get $lda) (i32.const 3))))
    (local.set $c3 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))
    (local.set $x30 (v128.load offset=0 (local.get $c3)))
    (local.set $x31 (v128.load offset=16 (local.get $c3)))
    (local.set $kend (i32.mul (local.get $k) (local.get $ks)))
    (if (i32.gt_u (local.get $k) (i32.const 0)) (then
    (loop $kl
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $ko))))
      (local.set $x00 (f32x4.add (local.get $x00) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x01 (f32x4.add (local.get $x01) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (i32.add (local.get $a1) (local.get $ko))))
      (local.set $x10 (f32x4.add (local.get $x10) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x11 (f32x4.add (local.get $x11) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (i32.add (local.get $a2) (local.get $ko))))
      (local.set $x20 (f32x4.add (local.get $x20) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x21 (f32x4.add (local.get $x21) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (i32.add (local.get $a3) (local.get $ko))))
      (local.set $x30 (f32x4.add (local.get $x30) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x31 (f32x4.add (local.get $x31) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $ko (i32.add (local.get $ko) (local.get $ks)))
      (br_if $kl (i32.lt_u (local.get $ko) (local.get $kend))))))
    (v128.store offset=0 (local.get $c0) (local.get $x00))
    (v128.store offset=16 (local.get $c0) (local.get $x01))
    (v128.store offset=0 (local.get $c1) (local.get $x10))
    (v128.store offset=16 (local.get $c1) (local.get $x11))
    (v128.store offset=0 (local.get $c2) (local.get $x20))
    (v128.store offset=16 (local.get $c2) (local.get $x21))
    (v128.store offset=0 (local.get $c3) (local.get $x30))
    (v128.store offset=16 (local.get $c3) (local.get $x31))
  )
  (func $m1 (param $a i32) (param $lda i32) (param $ks i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $k i32)
    (local $ko i32) (local $kend i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $a0 i32) (local $c0 i32) (local $x00 v128) (local $x01 v128)
    (local.set $a0 (i32.add (local.get $a) (i32.const 0)))
    (local.set $c0 (i32.add (local.get $c) (i32.const 0)))
    (local.set $x00 (v128.load offset=0 (local.get $c0)))
    (local.set $x01 (v128.load offset=16 (local.get $c0)))
    (local.set $kend (i32.mul (local.get $k) (local.get $ks)))
    (if (i32.gt_u (local.get $k) (i32.const 0)) (then
    (loop $kl
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $ko))))
      (local.set $x00 (f32x4.add (local.get $x00) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x01 (f32x4.add (local.get $x01) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $ko (i32.add (local.get $ko) (local.get $ks)))
      (br_if $kl (i32.lt_u (local.get $ko) (local.get $kend))))))
    (v128.store offset=0 (local.get $c0) (local.get $x00))
    (v128.store offset=16 (local.get $c0) (local.get $x01))
  )
  (func $gemm_panels (export "gemm") (param $a i32) (param $lda i32) (param $ks i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $m i32) (param $k i32) (param $panels i32)
    (local $i i32) (local $ai i32) (local $ci i32)
    (block $done (loop $pl
      (br_if $done (i32.eqz (local.get $panels)))
      (local.set $i (i32.const 0)) (local.set $ai (local.get $a)) (local.set $ci (local.get $c))
      (block $rd (loop $rl
        (br_if $rd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (call $mk (local.get $ai) (local.get $lda) (local.get $ks) (local.get $pb) (local.get $ci) (local.get $ldc) (local.get $k))
        (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $lda) (i32.const 4))))
        (local.set $ci (i32.add (local.get $ci) (i32.mul (local.get $ldc) (i32.const 4))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $i) (local.get $m)))
        (call $m1 (local.get $ai) (local.get $lda) (local.get $ks) (local.get $pb) (local.get $ci) (local.get $ldc) (local.get $k))
        (local.set $ai (i32.add (local.get $ai) (local.get $lda)))
        (local.set $ci (i32.add (local.get $ci) (local.get $ldc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tl)))
      (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $k) (i32.const 5))))
      (local.set $c (i32.add (local.get $c) (i32.const 32)))
      (local.set $panels (i32.sub (local.get $panels) (i32.const 1)))
      (br $pl))))

  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $y v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87 -87 -87 -87)) (v128.const f32x4 88 88 88 88)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $y (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  (func $tanh (param $x v128) (result v128)
    (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.div (v128.const f32x4 2 2 2 2)
        (f32x4.add (call $exp (f32x4.add (local.get $x) (local.get $x))) (v128.const f32x4 1 1 1 1)))))

  (func $lstm_forward (export "lstm_forward") (param $z i32) (param $cprev i32) (param $c i32) (param $h i32) (param $rows i32) (param $units i32)
    (local $u i32) (local $j i32) (local $zi i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $cv v128)
    (local.set $u (i32.shl (local.get $units) (i32.const 2)))
    (block $done (loop $row
      (br_if $done (i32.eqz (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $rd (loop $col
        (br_if $rd (i32.ge_u (local.get $j) (local.get $u)))
        (local.set $zi (i32.add (local.get $z) (local.get $j)))
        (local.set $i (call $sigmoid (v128.load (local.get $zi))))
        (local.set $f (call $sigmoid (v128.load (i32.add (local.get $zi) (local.get $u)))))
        (local.set $g (call $tanh (v128.load (i32.add (local.get $zi) (i32.shl (local.get $u) (i32.const 1))))))
        (local.set $o (call $sigmoid (v128.load (i32.add (local.get $zi) (i32.mul (local.get $u) (i32.const 3))))))
        (v128.store (local.get $zi) (local.get $i))
        (v128.store (i32.add (local.get $zi) (local.get $u)) (local.get $f))
        (v128.store (i32.add (local.get $zi) (i32.shl (local.get $u) (i32.const 1))) (local.get $g))
        (v128.store (i32.add (local.get $zi) (i32.mul (local.get $u) (i32.const 3))) (local.get $o))
        (local.set $cv (f32x4.add (f32x4.mul (local.get $f) (v128.load (i32.add (local.get $cprev) (local.get $j)))) (f32x4.mul (local.get $i) (local.get $g))))
        (v128.store (i32.add (local.get $c) (local.get $j)) (local.get $cv))
        (v128.store (i32.add (local.get $h) (local.get $j)) (f32x4.mul (local.get $o) (call $tanh (local.get $cv))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $col)))
      (local.set $z (i32.add (local.get $z) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $cprev (i32.add (local.get $cprev) (local.get $u)))
      (local.set $c (i32.add (local.get $c) (local.get $u)))
      (local.set $h (i32.add (local.get $h) (local.get $u)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $row))))

  (func $lstm_backward (export "lstm_backward") (param $a i32) (param $c i32) (param $cprev i32) (param $dh i32) (param $dhn i32) (param $dc i32) (param $dz i32) (param $rows i32) (param $units i32)
    (local $u i32) (local $j i32) (local $ai i32) (local $di i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $tc v128) (local $d v128) (local $dcv v128) (local $one v128)
    (local.set $u (i32.shl (local.get $units) (i32.const 2)))
    (local.set $one (v128.const f32x4 1 1 1 1))
    (block $done (loop $row
      (br_if $done (i32.eqz (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $rd (loop $col
        (br_if $rd (i32.ge_u (local.get $j) (local.get $u)))
        (local.set $ai (i32.add (local.get $a) (local.get $j)))
        (local.set $di (i32.add (local.get $dz) (local.get $j)))
        (local.set $i (v128.load (local.get $ai)))
        (local.set $f (v128.load (i32.add (local.get $ai) (local.get $u))))
        (local.set $g (v128.load (i32.add (local.get $ai) (i32.shl (local.get $u) (i32.const 1)))))
        (local.set $o (v128.load (i32.add (local.get $ai) (i32.mul (local.get $u) (i32.const 3)))))
        (local.set $tc (call $tanh (v128.load (i32.add (local.get $c) (local.get $j)))))
        (local.set $d (f32x4.add (v128.load (i32.add (local.get $dh) (local.get $j))) (v128.load (i32.add (local.get $dhn) (local.get $j)))))
        (local.set $dcv (f32x4.add (v128.load (i32.add (local.get $dc) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $d) (local.get $o)) (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc))))))
        (v128.store (local.get $di)
          (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $g)) (f32x4.mul (local.get $i) (f32x4.sub (local.get $one) (local.get $i)))))
        (v128.store (i32.add (local.get $di) (local.get $u))
          (f32x4.mul (f32x4.mul (local.get $dcv) (v128.load (i32.add (local.get $cprev) (local.get $j)))) (f32x4.mul (local.get $f) (f32x4.sub (local.get $one) (local.get $f)))))
        (v128.store (i32.add (local.get $di) (i32.shl (local.get $u) (i32.const 1)))
          (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $i)) (f32x4.sub (local.get $one) (f32x4.mul (local.get $g) (local.get $g)))))
        (v128.store (i32.add (local.get $di) (i32.mul (local.get $u) (i32.const 3)))
          (f32x4.mul (f32x4.mul (local.get $d) (local.get $tc)) (f32x4.mul (local.get $o) (f32x4.sub (local.get $one) (local.get $o)))))
        (v128.store (i32.add (local.get $dc) (local.get $j)) (f32x4.mul (local.get $dcv) (local.get $f)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $col)))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $dz (i32.add (local.get $dz) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $c (i32.add (local.get $c) (local.get $u)))
      (local.set $cprev (i32.add (local.get $cprev) (local.get $u)))
      (local.set $dh (i32.add (local.get $dh) (local.get $u)))
      (local.set $dhn (i32.add (local.get $dhn) (local.get $u)))
      (local.set $dc (i32.add (local.get $dc) (local.get $u)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $row))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_u (local.get $a) (local.get $b))))

  (func $gemm_blocked (export "gemm_blocked") (param $a i32) (param $lda i32) (param $ks i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $m i32) (param $k i32) (param $panels i32) (param $p0 i32) (param $p1 i32)
    (local $i0 i32) (local $mc i32) (local $q0 i32) (local $kc i32)
    (if (i32.ge_u (local.get $p0) (local.get $p1)) (then (return)))
    (block $mdone (loop $ml
      (br_if $mdone (i32.ge_u (local.get $i0) (local.get $m)))
      (local.set $mc (call $min (i32.const 128) (i32.sub (local.get $m) (local.get $i0))))
      (local.set $q0 (i32.const 0))
      (block $kdone (loop $kl
        (br_if $kdone (i32.ge_u (local.get $q0) (local.get $k)))
        (local.set $kc (call $min (i32.const 256) (i32.sub (local.get $k) (local.get $q0))))
        (call $gemm_panels
          (i32.add (i32.add (local.get $a) (i32.mul (local.get $i0) (local.get $lda))) (i32.mul (local.get $q0) (local.get $ks)))
          (local.get $lda) (local.get $ks)
          (i32.add (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $panels) (local.get $q0)) (i32.const 5)))
                   (i32.shl (i32.mul (local.get $kc) (local.get $p0)) (i32.const 5)))
          (i32.add (i32.add (local.get $c) (i32.mul (local.get $i0) (local.get $ldc))) (i32.shl (local.get $p0) (i32.const 5)))
          (local.get $ldc) (local.get $mc) (local.get $kc) (i32.sub (local.get $p1) (local.get $p0)))
        (local.set $q0 (i32.add (local.get $q0) (i32.const 256)))
        (br $kl)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 128)))
      (br $ml))))

  (func $zero (param $p i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (v128.const i64x2 0 0))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l))))

  (func (export "lstm_forward_seq") (param $act i32) (param $cs i32) (param $hs i32) (param $wp i32) (param $zero i32) (param $B i32) (param $r0 i32) (param $r1 i32) (param $L i32) (param $u i32)
    (local $t i32) (local $rows i32) (local $ub i32) (local $gb i32) (local $off i32) (local $prev i32) (local $z i32)
    (local.set $rows (i32.sub (local.get $r1) (local.get $r0)))
    (local.set $ub (i32.shl (local.get $u) (i32.const 2)))
    (local.set $gb (i32.shl (local.get $u) (i32.const 4)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $t) (local.get $L)))
      (local.set $off (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $r0)))
      (local.set $z (i32.add (local.get $act) (i32.mul (local.get $off) (local.get $gb))))
      (if (i32.gt_u (local.get $t) (i32.const 0))
        (then
          (local.set $prev (i32.sub (local.get $off) (local.get $B)))
          (call $gemm_blocked (i32.add (local.get $hs) (i32.mul (local.get $prev) (local.get $ub))) (local.get $ub) (i32.const 4) (local.get $wp)
            (local.get $z) (local.get $gb) (local.get $rows) (local.get $u) (i32.shr_u (local.get $u) (i32.const 1)) (i32.const 0) (i32.shr_u (local.get $u) (i32.const 1)))
          (call $lstm_forward (local.get $z) (i32.add (local.get $cs) (i32.mul (local.get $prev) (local.get $ub)))
            (i32.add (local.get $cs) (i32.mul (local.get $off) (local.get $ub))) (i32.add (local.get $hs) (i32.mul (local.get $off) (local.get $ub))) (local.get $rows) (local.get $u)))
        (else
          (call $lstm_forward (local.get $z) (i32.add (local.get $zero) (i32.mul (local.get $r0) (local.get $ub)))
            (i32.add (local.get $cs) (i32.mul (local.get $off) (local.get $ub))) (i32.add (local.get $hs) (i32.mul (local.get $off) (local.get $ub))) (local.get $rows) (local.get $u))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l))))

  (func (export "lstm_backward_seq") (param $act i32) (param $cs i32) (param $dH i32) (param $dz i32) (param $dhn i32) (param $dc i32) (param $wtp i32) (param $zero i32) (param $B i32) (param $r0 i32) (param $r1 i32) (param $L i32) (param $u i32)
    (local $t i32) (local $rows i32) (local $ub i32) (local $gb i32) (local $off i32) (local $cprev i32) (local $dhnr i32) (local $dcr i32)
    (local.set $rows (i32.sub (local.get $r1) (local.get $r0)))
    (local.set $ub (i32.shl (local.get $u) (i32.const 2)))
    (local.set $gb (i32.shl (local.get $u) (i32.const 4)))
    (local.set $dhnr (i32.add (local.get $dhn) (i32.mul (local.get $r0) (local.get $ub))))
    (local.set $dcr (i32.add (local.get $dc) (i32.mul (local.get $r0) (local.get $ub))))
    (call $zero (local.get $dhnr) (i32.mul (local.get $rows) (local.get $ub)))
    (call $zero (local.get $dcr) (i32.mul (local.get $rows) (local.get $ub)))
    (local.set $t (local.get $L))
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $t)))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (local.set $off (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $r0)))
      (local.set $cprev (if (result i32) (i32.gt_u (local.get $t) (i32.const 0))
        (then (i32.add (local.get $cs) (i32.mul (i32.sub (local.get $off) (local.get $B)) (local.get $ub))))
        (else (i32.add (local.get $zero) (i32.mul (local.get $r0) (local.get $ub))))))
      (call $lstm_backward (i32.add (local.get $act) (i32.mul (local.get $off) (local.get $gb))) (i32.add (local.get $cs) (i32.mul (local.get $off) (local.get $ub)))
        (local.get $cprev) (i32.add (local.get $dH) (i32.mul (local.get $off) (local.get $ub))) (local.get $dhnr) (local.get $dcr)
        (i32.add (local.get $dz) (i32.mul (local.get $off) (local.get $gb))) (local.get $rows) (local.get $u))
      (if (i32.gt_u (local.get $t) (i32.const 0))
        (then
          (call $zero (local.get $dhnr) (i32.mul (local.get $rows) (local.get $ub)))
          (call $gemm_blocked (i32.add (local.get $dz) (i32.mul (local.get $off) (local.get $gb))) (local.get $gb) (i32.const 4) (local.get $wtp)
            (local.get $dhnr) (local.get $ub) (local.get $rows) (i32.shl (local.get $u) (i32.const 2)) (i32.shr_u (local.get $u) (i32.const 3)) (i32.const 0) (i32.shr_u (local.get $u) (i32.const 3)))))
      (br $l))))
)
