// Package greeting says hello.
package greeting

import "strings"

// Hello greets name.
func Hello(name string) string {
	return "Hello, " + strings.TrimSpace(name) + "!"
}
