package greeting

import "testing"

func TestHello(t *testing.T) {
	if Hello(" Ada ") != "Hello, Ada!" {
		t.Fatal("wrong greeting")
	}
}
