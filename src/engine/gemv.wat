;; gemv.wat: the WebAssembly SIMD kernel behind kernel-wasm.ts.
;; Assemble with `node scripts/build-wasm.mjs` (writes gemv-wasm.ts; commit both).
;;
;; gemv(x, rows, w, y, panels), all addresses in bytes in the imported memory:
;;   for each of `panels` consecutive panels (layout in kernel.ts: PANEL = 32 columns,
;;   row i's 32 weights at w + 128·i), y[0..32) += x[0..rows) · W_panel;
;;   w advances by 128·rows and y by 128 bytes per panel.
;; Each lane sums in the plain-JS kernel's order with its roundings:
;;   acc = f32(acc + f32(x[i] · w[i][j])), i = 0, 1, ..., rows-1; mul then add, never fused.
;; No address needs to be aligned. rows = 0 leaves y alone. Only y[0..32·panels) is written.
(module
  (import "env" "memory" (memory 1))

  ;; Write-only sinks, see the row loop.
  (global $sink0 (mut v128) (v128.const i64x2 0 0))
  (global $sink1 (mut v128) (v128.const i64x2 0 0))
  (global $sink2 (mut v128) (v128.const i64x2 0 0))
  (global $sink3 (mut v128) (v128.const i64x2 0 0))

  (func (export "gemv") (param $x i32) (param $rows i32) (param $w i32) (param $y i32) (param $panels i32)
    (local $xi i32) (local $xend i32) (local $s v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (local.set $xend (i32.add (local.get $x) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (loop $panel
        (br_if $done (i32.eqz (local.get $panels)))
        (local.set $a0 (v128.load offset=0 (local.get $y)))
        (local.set $a1 (v128.load offset=16 (local.get $y)))
        (local.set $a2 (v128.load offset=32 (local.get $y)))
        (local.set $a3 (v128.load offset=48 (local.get $y)))
        (local.set $a4 (v128.load offset=64 (local.get $y)))
        (local.set $a5 (v128.load offset=80 (local.get $y)))
        (local.set $a6 (v128.load offset=96 (local.get $y)))
        (local.set $a7 (v128.load offset=112 (local.get $y)))
        (local.set $xi (local.get $x))
        (loop $row
          ;; 8 accumulators + 8 weight vectors + x[i] would need 17 vector registers, and
          ;; V8's optimizing compiler (x64: 15 usable) issues all of a row's loads first and
          ;; then spills an accumulator, halving the speed. Storing the first four updated
          ;; accumulators to unused globals pins their adds before the next loads (stores
          ;; keep program order), so at most 13 vectors are live. The result is unchanged.
          (local.set $s (v128.load32_splat (local.get $xi)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $w)))))
          (global.set $sink0 (local.get $a0))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $w)))))
          (global.set $sink1 (local.get $a1))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $w)))))
          (global.set $sink2 (local.get $a2))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $w)))))
          (global.set $sink3 (local.get $a3))
          (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (v128.load offset=64 (local.get $w)))))
          (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (v128.load offset=80 (local.get $w)))))
          (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (v128.load offset=96 (local.get $w)))))
          (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (v128.load offset=112 (local.get $w)))))
          (local.set $w (i32.add (local.get $w) (i32.const 128)))
          (local.set $xi (i32.add (local.get $xi) (i32.const 4)))
          (br_if $row (i32.lt_u (local.get $xi) (local.get $xend))))
        (v128.store offset=0 (local.get $y) (local.get $a0))
        (v128.store offset=16 (local.get $y) (local.get $a1))
        (v128.store offset=32 (local.get $y) (local.get $a2))
        (v128.store offset=48 (local.get $y) (local.get $a3))
        (v128.store offset=64 (local.get $y) (local.get $a4))
        (v128.store offset=80 (local.get $y) (local.get $a5))
        (v128.store offset=96 (local.get $y) (local.get $a6))
        (v128.store offset=112 (local.get $y) (local.get $a7))
        (local.set $y (i32.add (local.get $y) (i32.const 128)))
        (local.set $panels (i32.sub (local.get $panels) (i32.const 1)))
        (br $panel)))))
