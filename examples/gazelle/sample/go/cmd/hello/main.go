package main

import (
	"fmt"
	"os"

	"example.com/project/go/greeting"
)

func main() {
	name := "world"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	fmt.Println(greeting.Hello(name))
}
