// gocopy: copy a directory tree, upper-casing .txt files, and write a SHA-256 manifest.
//
//	gocopy SRC DST
//
// Also prints $GREETING, checks the clock and sleeps, and reads random bytes: what a
// Go program started by a WASI host typically does. Go's wasip1 runtime is large and
// does real work at start-up, which makes it a good end-to-end test.
//
// Built with: GOOS=wasip1 GOARCH=wasm go build -trimpath -ldflags="-s -w" -o ../gocopy.wasm
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s SRC DST\n", os.Args[0])
		os.Exit(2)
	}
	src, dst := os.Args[1], os.Args[2]
	if greeting, ok := os.LookupEnv("GREETING"); ok {
		fmt.Printf("greeting: %s\n", greeting)
	}
	var manifest []string
	files, total := 0, 0
	err := filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case entry.IsDir():
			return os.MkdirAll(target, 0o755)
		case entry.Type()&fs.ModeSymlink != 0:
			return nil // links are not copied
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".txt") {
			data = bytes.ToUpper(data)
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		files++
		total += len(data)
		manifest = append(manifest, fmt.Sprintf("%x  %s", sha256.Sum256(data), filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	sort.Strings(manifest)
	text := strings.Join(manifest, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dst, "MANIFEST"), []byte(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Print(text)
	fmt.Printf("copied %d files, %d bytes\n", files, total)

	if _, err := os.Stat(filepath.Join(src, "..", "..", "etc", "passwd")); err != nil {
		fmt.Println("outside: not reachable")
	} else {
		fmt.Println("outside: REACHABLE")
	}

	now := time.Now()
	fmt.Printf("year ok: %v\n", now.Year() >= 2024)
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	fmt.Printf("slept at least 20ms: %v\n", time.Since(start) >= 20*time.Millisecond)
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("random bytes: %d\n", len(random))
	os.Exit(3)
}
