// The Go language extension of the Gazelle example, written in Go with the zerowasm
// guest kit (guest/go, package pdk). It implements the LanguageExtension interface of
// examples/gazelle/gazelle.py (JSON object of named parameters in, JSON result out).
//
//	name()                 -> "go"
//	claims(path)           -> true for *.go
//	imports(path, content) -> {"imports": [import paths], "main": package main}
//	rules(package, files)  -> go_library (importpath = config "module" + "/" + package)
//	                          or go_binary for package main, and go_test for *_test.go
//
// Build: python guest/build.py go examples/gazelle/extensions/go examples/gazelle/extensions/go.wasm
package main

import (
	"path"
	"strings"

	"zerowasm.dev/pdk"
)

type rule struct {
	Kind     string              `json:"kind"`
	Name     string              `json:"name"`
	Srcs     []string            `json:"srcs"`
	Imports  []string            `json:"imports"`
	Provides []string            `json:"provides"`
	Attrs    map[string][]string `json:"attrs,omitempty"`
}

type sourceFile struct {
	Path    string   `json:"path"`
	Imports []string `json:"imports"`
	Main    bool     `json:"main"`
}

func reply(v any) int32 {
	if err := pdk.OutputJSON(v); err != nil {
		return pdk.Fail(err.Error())
	}
	return 0
}

//go:wasmexport name
func name() int32 { return reply("go") }

//go:wasmexport claims
func claims() int32 {
	var args struct {
		Path string `json:"path"`
	}
	if err := pdk.InputJSON(&args); err != nil {
		return pdk.Fail("claims: " + err.Error())
	}
	return reply(strings.HasSuffix(args.Path, ".go"))
}

// parse reads a Go file's package clause and import declarations.
func parse(content string) (pkg string, imports []string) {
	inBlock := false
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case inBlock && line == ")":
			inBlock = false
		case inBlock:
			imports = append(imports, quoted(line))
		case strings.HasPrefix(line, "package "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "package "))
		case line == "import (":
			inBlock = true
		case strings.HasPrefix(line, "import "):
			imports = append(imports, quoted(line))
		case strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "type ") ||
			strings.HasPrefix(line, "var ") || strings.HasPrefix(line, "const "):
			return pkg, imports // imports come before any declaration
		}
	}
	return pkg, imports
}

func quoted(s string) string {
	start := strings.IndexByte(s, '"')
	end := strings.LastIndexByte(s, '"')
	if start < 0 || end <= start {
		return s
	}
	return s[start+1 : end]
}

//go:wasmexport imports
func imports() int32 {
	var args struct {
		Path    string `json:"path"`
		Content string `json:"content"`
	}
	if err := pdk.InputJSON(&args); err != nil {
		return pdk.Fail("imports: " + err.Error())
	}
	pkg, found := parse(args.Content)
	if found == nil {
		found = []string{}
	}
	return reply(map[string]any{"imports": found, "main": pkg == "main"})
}

//go:wasmexport rules
func rules() int32 {
	var args struct {
		Package string       `json:"package"`
		Files   []sourceFile `json:"files"`
	}
	if err := pdk.InputJSON(&args); err != nil {
		return pdk.Fail("rules: " + err.Error())
	}
	module, ok := pdk.Config("module")
	if !ok {
		module = "example.com/project"
	}
	base := path.Base(args.Package)
	if args.Package == "" {
		base = "root"
	}
	lib := rule{Name: base, Srcs: []string{}, Imports: []string{}, Provides: []string{}}
	test := rule{Name: base + "_test", Srcs: []string{}, Imports: []string{}, Provides: []string{}}
	isMain := false
	for _, f := range args.Files {
		if strings.HasSuffix(f.Path, "_test.go") {
			test.Srcs = append(test.Srcs, f.Path)
			test.Imports = append(test.Imports, f.Imports...)
			continue
		}
		isMain = isMain || f.Main
		lib.Srcs = append(lib.Srcs, f.Path)
		lib.Imports = append(lib.Imports, f.Imports...)
	}
	out := []rule{}
	if len(lib.Srcs) > 0 {
		if isMain {
			lib.Kind = "go_binary"
		} else {
			importpath := module
			if args.Package != "" {
				importpath = module + "/" + args.Package
			}
			lib.Kind = "go_library"
			lib.Provides = []string{importpath}
			lib.Attrs = map[string][]string{"importpath": {importpath}}
		}
		out = append(out, lib)
	}
	if len(test.Srcs) > 0 {
		test.Kind = "go_test"
		if len(lib.Srcs) > 0 && !isMain {
			test.Attrs = map[string][]string{"embed": {":" + lib.Name}}
		}
		out = append(out, test)
	}
	return reply(out)
}

func main() {}
