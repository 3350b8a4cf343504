;; The commonest log lines into a pipe or a file, sixteen bytes at a time (SIMD): a run of
;; complete lines in memory is rendered until a line needs more than this does. Two kinds
;; of line are taken, each exactly as LogRenderer's byte path renders it (src/output/
;; log-render.ts; the corpus test holds the two to it, in every mode):
;;   - an entry in the documented order, {"timestamp":"…","source":"…","stage":"…","content":"…"},
;;     with a UTC timestamp and no escape, quote or control byte in its values;
;;   - a line that does not start with "{", without a CR before its newline.
;; The mode (render's last argument) is --raw (0: an entry's content, a plain line as it
;; is) or formatted (FORMATTED: the clock, the stage of a WRAPPER line, the content; in
;; dim where COLOUR). Formatted output is cleaned: there a line with any control byte, DEL
;; or 0xC2 (which may start a C1 control) is left to the JavaScript renderer, as is one
;; with a stage that is not plain ASCII. Each line ends in a newline. Anything else stops
;; the run at that line's first byte.
(module
  (memory (export "memory") 10)

  ;; The field separators, at the start of memory; the input starts at 256 (see log-lines.ts).
  (data (i32.const 0) "{\"timestamp\":\"")
  (data (i32.const 16) "\",\"source\":\"")
  (data (i32.const 32) "\",\"stage\":\"")
  (data (i32.const 48) "\",\"content\":\"")
  (data (i32.const 64) "\1b[2m")
  (data (i32.const 72) "\1b[22m")
  (data (i32.const 80) "platform")
  (data (i32.const 96) "WRAPPER\"")

  ;; After render: where its output ends, and how many lines it took.
  (global $outEnd (export "outEnd") (mut i32) (i32.const 0))
  (global $lines (export "lines") (mut i32) (i32.const 0))

  ;; The first $len bytes at $p equal the separator at $sep.
  (func $is (param $p i32) (param $sep i32) (param $len i32) (result i32)
    (local $all i32)
    (local.set $all (i32.sub (i32.shl (i32.const 1) (local.get $len)) (i32.const 1)))
    (i32.eq
      (i32.and (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (v128.load (local.get $sep)))) (local.get $all))
      (local.get $all)))

  ;; Two decimal digits at $a, at most $max: their value, or -1.
  (func $two (param $a i32) (param $max i32) (result i32)
    (local $hi i32) (local $lo i32) (local $v i32)
    (local.set $hi (i32.sub (i32.load8_u (local.get $a)) (i32.const 0x30)))
    (local.set $lo (i32.sub (i32.load8_u offset=1 (local.get $a)) (i32.const 0x30)))
    (if (i32.or (i32.gt_u (local.get $hi) (i32.const 9)) (i32.gt_u (local.get $lo) (i32.const 9)))
      (then (return (i32.const -1))))
    (local.set $v (i32.add (i32.mul (local.get $hi) (i32.const 10)) (local.get $lo)))
    (if (result i32) (i32.gt_u (local.get $v) (local.get $max))
      (then (i32.const -1))
      (else (local.get $v))))

  ;; YYYY-MM-DDTHH:MM:SS[.fraction]Z at $s with in-range fields: the index of the Z, or -1.
  (func $utcEnd (param $s i32) (param $end i32) (result i32)
    (if (i32.or
          (i32.or (i32.ne (i32.load8_u offset=4 (local.get $s)) (i32.const 0x2d))
                  (i32.ne (i32.load8_u offset=7 (local.get $s)) (i32.const 0x2d)))
          (i32.or (i32.ne (i32.load8_u offset=10 (local.get $s)) (i32.const 0x54))
                  (i32.or (i32.ne (i32.load8_u offset=13 (local.get $s)) (i32.const 0x3a))
                          (i32.ne (i32.load8_u offset=16 (local.get $s)) (i32.const 0x3a)))))
      (then (return (i32.const -1))))
    (if (i32.or
          (i32.or (i32.lt_s (call $two (local.get $s) (i32.const 99)) (i32.const 0))
                  (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 2)) (i32.const 99)) (i32.const 0)))
          (i32.or (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 5)) (i32.const 12)) (i32.const 1))
                  (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 8)) (i32.const 31)) (i32.const 1))))
      (then (return (i32.const -1))))
    (if (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 11)) (i32.const 23)) (i32.const 0))
      (then (return (i32.const -1))))
    (call $clockEnd (local.get $s) (local.get $end)))

  ;; $utcEnd past the date and hour (known valid): MM:SS[.fraction]Z.
  (func $clockEnd (param $s i32) (param $end i32) (result i32)
    (local $i i32)
    (if (i32.or (i32.ne (i32.load8_u offset=16 (local.get $s)) (i32.const 0x3a))
          (i32.or (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 14)) (i32.const 59)) (i32.const 0))
                  (i32.lt_s (call $two (i32.add (local.get $s) (i32.const 17)) (i32.const 59)) (i32.const 0))))
      (then (return (i32.const -1))))
    (local.set $i (i32.add (local.get $s) (i32.const 19)))
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.gt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 9))
          (then (return (i32.const -1))))
        (loop $digits
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $digits (i32.and (i32.lt_u (local.get $i) (local.get $end))
                                  (i32.le_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 9)))))))
    (if (result i32) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x5a))
      (then (local.get $i))
      (else (i32.const -1))))

  ;; The first byte at or after $i (within $end, else $end) that is '"', '\' or a control
  ;; byte: where a JSON string value ends or needs decoding.
  (func $valueEnd (param $i i32) (param $end i32) (result i32)
    (local $v v128) (local $m i32)
    (loop $block
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (local.get $end))))
      (local.set $v (v128.load (local.get $i)))
      (local.set $m (i8x16.bitmask
        (v128.or
          (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
                   (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))
          (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20)))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $block))))
    (i32.add (local.get $i) (i32.ctz (local.get $m))))

  ;; $valueEnd, copying the bytes on the way to $o, sixteen at a time (what lies past the
  ;; byte found is written too, beyond the output's end). $strict: DEL and 0xC2 stop it too.
  (func $copyValue (param $i i32) (param $end i32) (param $o i32) (param $strict i32) (result i32)
    (local $v v128) (local $m i32) (local $extra v128)
    (loop $block
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (local.get $end))))
      (local.set $v (v128.load (local.get $i)))
      (v128.store (local.get $o) (local.get $v))
      (local.set $extra
        (v128.and
          (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f))
                   (i8x16.eq (local.get $v) (v128.const i8x16 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2)))
          (i8x16.splat (i32.sub (i32.const 0) (local.get $strict)))))
      (local.set $m (i8x16.bitmask
        (v128.or
          (v128.or
            (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
                     (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))
            (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20)))
          (local.get $extra))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $block))))
    (i32.add (local.get $i) (i32.ctz (local.get $m))))

  ;; The first newline at or after $i (within $end, else $end), copying the bytes on the way
  ;; to $o as $copyValue does. $strict: the first control byte, DEL or 0xC2 instead (the
  ;; newline is one of them).
  (func $copyLine (param $i i32) (param $end i32) (param $o i32) (param $strict i32) (result i32)
    (local $v v128) (local $m i32)
    (loop $block
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (local.get $end))))
      (local.set $v (v128.load (local.get $i)))
      (v128.store (local.get $o) (local.get $v))
      (local.set $m (i8x16.bitmask
        (if (result v128) (local.get $strict)
          (then
            (v128.or
              (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
              (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f 0x7f))
                       (i8x16.eq (local.get $v) (v128.const i8x16 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2 0xc2)))))
          (else
            (i8x16.eq (local.get $v) (v128.const i8x16 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a 0x0a))))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $block))))
    (i32.add (local.get $i) (i32.ctz (local.get $m))))

  ;; A constant of $n bytes (at most 16) from $from to $to, in one 16-byte store (the bytes
  ;; past $n are written over next); returns $to + $n.
  (func $put (param $from i32) (param $n i32) (param $to i32) (result i32)
    (v128.store (local.get $to) (v128.load (local.get $from)))
    (i32.add (local.get $to) (local.get $n)))

  ;; Renders the complete lines of memory[$p, $end) to $o onward, in $mode (see the top).
  ;; Returns where it stopped: $end, or the first byte of the first line it does not take (or
  ;; of an unterminated one). A line's output is written past $o first and kept only once the
  ;; whole line has been taken.
  (func (export "render") (param $p i32) (param $end i32) (param $o i32) (param $mode i32) (result i32)
    (local $z i32) (local $q i32) (local $c i32) (local $n i32) (local $k i32) (local $taken i32)
    (local $formatted i32) (local $colour i32) (local $wrapper i32) (local $ss i32) (local $se i32) (local $ch i32)
    ;; The date and hour (the timestamp's first 14 bytes) last found valid: the lines of a
    ;; log mostly share them, so they are checked once.
    (local $head v128) (local $headValid i32)
    (local.set $formatted (i32.and (local.get $mode) (i32.const 1)))
    (local.set $colour (i32.and (local.get $mode) (i32.const 2)))
    (block $stop
      (loop $line
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x7b))
          (then
            ;; Plain text, copied as it is.
            (local.set $n (call $copyLine (local.get $p) (local.get $end) (local.get $o) (local.get $formatted)))
            (br_if $stop (i32.ge_u (local.get $n) (local.get $end)))
            (br_if $stop (i32.ne (i32.load8_u (local.get $n)) (i32.const 0x0a)))
            (if (i32.gt_u (local.get $n) (local.get $p))
              (then (br_if $stop (i32.eq (i32.load8_u (i32.sub (local.get $n) (i32.const 1))) (i32.const 0x0d)))))
            (local.set $o (i32.add (local.get $o) (i32.sub (local.get $n) (local.get $p))))
            (i32.store8 (local.get $o) (i32.const 0x0a))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $p (i32.add (local.get $n) (i32.const 1)))
            (local.set $taken (i32.add (local.get $taken) (i32.const 1)))
            (br $line)))
        (br_if $stop (i32.eqz (call $is (local.get $p) (i32.const 0) (i32.const 14))))
        (if (i32.and (local.get $headValid)
              (i32.eq (i32.and (i8x16.bitmask (i8x16.eq (v128.load offset=14 (local.get $p)) (local.get $head))) (i32.const 0x3fff))
                      (i32.const 0x3fff)))
          (then (local.set $z (call $clockEnd (i32.add (local.get $p) (i32.const 14)) (local.get $end))))
          (else
            (local.set $z (call $utcEnd (i32.add (local.get $p) (i32.const 14)) (local.get $end)))
            (if (i32.ge_s (local.get $z) (i32.const 0))
              (then
                (local.set $head (v128.load offset=14 (local.get $p)))
                (local.set $headValid (i32.const 1))))))
        (br_if $stop (i32.lt_s (local.get $z) (i32.const 0)))
        (br_if $stop (i32.ge_u (local.get $z) (local.get $end)))
        ;; "source": a plain value
        (br_if $stop (i32.eqz (call $is (i32.add (local.get $z) (i32.const 1)) (i32.const 16) (i32.const 12))))
        (local.set $wrapper (call $is (i32.add (local.get $z) (i32.const 13)) (i32.const 96) (i32.const 8)))
        (local.set $q (call $valueEnd (i32.add (local.get $z) (i32.const 13)) (local.get $end)))
        (br_if $stop (i32.ge_u (local.get $q) (local.get $end)))
        ;; "stage": a plain value
        (br_if $stop (i32.eqz (call $is (local.get $q) (i32.const 32) (i32.const 11))))
        (local.set $ss (i32.add (local.get $q) (i32.const 11)))
        (local.set $se (call $valueEnd (local.get $ss) (local.get $end)))
        (br_if $stop (i32.ge_u (local.get $se) (local.get $end)))
        ;; "content"
        (br_if $stop (i32.eqz (call $is (local.get $se) (i32.const 48) (i32.const 13))))
        (local.set $c (i32.add (local.get $se) (i32.const 13)))
        (local.set $k (local.get $o))
        (if (local.get $formatted)
          (then
            ;; the clock (HH:MM:SS, bytes 11-19 of the timestamp), dim where coloured
            (if (local.get $colour) (then (local.set $k (call $put (i32.const 64) (i32.const 4) (local.get $k)))))
            (i64.store (local.get $k) (i64.load offset=25 (local.get $p)))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (if (local.get $colour) (then (local.set $k (call $put (i32.const 72) (i32.const 5) (local.get $k)))))
            (i32.store8 (local.get $k) (i32.const 0x20))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (if (local.get $wrapper)
              (then
                ;; [stage] in lower case, [platform] without one; the line stays dim
                (if (local.get $colour) (then (local.set $k (call $put (i32.const 64) (i32.const 4) (local.get $k)))))
                (i32.store8 (local.get $k) (i32.const 0x5b))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (if (i32.eq (local.get $ss) (local.get $se))
                  (then (local.set $k (call $put (i32.const 80) (i32.const 8) (local.get $k))))
                  (else
                    (loop $stage
                      (local.set $ch (i32.load8_u (local.get $ss)))
                      (br_if $stop (i32.gt_u (local.get $ch) (i32.const 0x7e)))
                      (if (i32.le_u (i32.sub (local.get $ch) (i32.const 0x41)) (i32.const 25))
                        (then (local.set $ch (i32.add (local.get $ch) (i32.const 0x20)))))
                      (i32.store8 (local.get $k) (local.get $ch))
                      (local.set $k (i32.add (local.get $k) (i32.const 1)))
                      (local.set $ss (i32.add (local.get $ss) (i32.const 1)))
                      (br_if $stage (i32.lt_u (local.get $ss) (local.get $se))))))
                (i32.store16 (local.get $k) (i32.const 0x205d))
                (local.set $k (i32.add (local.get $k) (i32.const 2)))))))
        ;; the content, copied as it is scanned; it must end the line: "}\n
        (local.set $q (call $copyValue (local.get $c) (local.get $end) (local.get $k) (local.get $formatted)))
        (br_if $stop (i32.ge_u (i32.add (local.get $q) (i32.const 2)) (local.get $end)))
        (br_if $stop (i32.ne (i32.load8_u (local.get $q)) (i32.const 0x22)))
        (br_if $stop (i32.ne (i32.load16_u offset=1 (local.get $q)) (i32.const 0x0a7d)))
        (local.set $o (i32.add (local.get $k) (i32.sub (local.get $q) (local.get $c))))
        (if (i32.and (local.get $formatted) (i32.and (local.get $wrapper) (i32.ne (local.get $colour) (i32.const 0))))
          (then (local.set $o (call $put (i32.const 72) (i32.const 5) (local.get $o)))))
        (i32.store8 (local.get $o) (i32.const 0x0a))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (local.set $p (i32.add (local.get $q) (i32.const 3)))
        (local.set $taken (i32.add (local.get $taken) (i32.const 1)))
        (br $line)))
    (global.set $outEnd (local.get $o))
    (global.set $lines (local.get $taken))
    (local.get $p))
)
