module zerowasm.dev/examples/gazelle/go

go 1.24

require zerowasm.dev/pdk v0.0.0

replace zerowasm.dev/pdk => ../../../../guest/go
