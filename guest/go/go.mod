module zerowasm.dev/pdk

go 1.24
