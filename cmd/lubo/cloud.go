package main

import (
	"fmt"
	"io"
)

// cmdCloud runs `lubo cloud <vendor> <verb> -config FILE`.
func cmdCloud(args []string, stdout, stderr io.Writer) int {
	_ = stdout
	fmt.Fprintln(stderr, "lubo cloud: not available yet")
	return 2
}
