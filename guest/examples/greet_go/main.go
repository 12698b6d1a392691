// The "greet" example plugin, in Go (the same plugin exists in C and Zig).
//
// export greet: input = a name; output = "<greeting>, <name>! (call #N)" where
// <greeting> is config "greeting" (default "Hello") passed through the host function
// extism:host/user::decorate, and N counts the calls in the var "count".
// An empty name fails the call with the error "no name given".
// export count_json: input = JSON {"text": "..."}; output = JSON {"length": n, "vowels": v}.
//
// Build: python guest/build.py
package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"zerowasm.dev/pdk"
)

//go:wasmimport extism:host/user decorate
func decorate(text pdk.Handle) pdk.Handle

//go:wasmexport greet
func greet() int32 {
	name := pdk.Input()
	if len(name) == 0 {
		return pdk.Fail("no name given")
	}
	greeting, ok := pdk.Config("greeting")
	if !ok {
		greeting = "Hello"
	}
	fancy := pdk.BlockRead(decorate(pdk.BlockFrom([]byte(greeting))))

	count := uint64(0)
	if b := pdk.GetVar("count"); len(b) == 8 {
		count = binary.LittleEndian.Uint64(b)
	}
	count++
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], count)
	pdk.SetVar("count", b[:])

	pdk.Log(pdk.LevelInfo, "greeted someone")
	pdk.OutputString(fmt.Sprintf("%s, %s! (call #%d)", fancy, name, count))
	return 0
}

type countArgs struct {
	Text *string `json:"text"`
}

type countResult struct {
	Length int `json:"length"`
	Vowels int `json:"vowels"`
}

//go:wasmexport count_json
func countJSON() int32 {
	var args countArgs
	if err := pdk.InputJSON(&args); err != nil || args.Text == nil {
		return pdk.Fail(`count_json: expected {"text": string}`)
	}
	vowels := 0
	for _, c := range strings.ToLower(*args.Text) {
		if strings.ContainsRune("aeiou", c) {
			vowels++
		}
	}
	if err := pdk.OutputJSON(countResult{Length: len(*args.Text), Vowels: vowels}); err != nil {
		return pdk.Fail(err.Error())
	}
	return 0
}

func main() {}
