package configs

import (
	_ "embed"
	"fmt"
	"slices"
)

//go:embed lubo.yaml
var exampleYAML []byte

//go:embed demo.yaml
var demoYAML []byte

// ExampleYAML returns the documented example configuration (lubo.yaml).
func ExampleYAML() []byte { return slices.Clone(exampleYAML) }

// DemoYAML returns the embedded default configuration (demo.yaml).
func DemoYAML() []byte { return slices.Clone(demoYAML) }

// Demo returns the embedded default configuration, parsed; each call
// returns a fresh copy. It never fails: a test keeps demo.yaml valid.
func Demo() *Config {
	cfg, err := Parse(demoYAML, "demo.yaml")
	if err != nil {
		panic(fmt.Sprintf("configs: embedded demo.yaml is invalid: %v", err))
	}
	return cfg
}
