#!/bin/sh
# Rebuild the SIMD guest used by tests/unit/test_simd_programs.py: the same C source,
# scalar (simd_scalar.wasm) and with 128-bit SIMD (simd_vector.wasm).
# Needs: pip install ziglang   (running the tests never needs a compiler)
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
FLAGS="-target wasm32-freestanding -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic -s"

"$PYTHON" -m ziglang cc $FLAGS -o simd_scalar.wasm simd.c
"$PYTHON" -m ziglang cc $FLAGS -msimd128 -o simd_vector.wasm simd.c
ls -l *.wasm
