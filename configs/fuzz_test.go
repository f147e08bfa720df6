package configs

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, tc := range badCases {
		f.Add([]byte(tc.yaml))
	}
	f.Add(ExampleYAML())
	f.Add(DemoYAML())
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("channels:\n  - &c {id: a, source: 'rtsp://x/y'}\n  - {<<: *c, id: b}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz")
		if err != nil {
			var pe *ProblemsError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %T without problems: %v", err, err)
			}
			if cfg != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		// What Parse accepts, Validate accepts too.
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate rejects: %v\ninput:\n%s", err, data)
		}
		for i := range cfg.Channels {
			if cfg.Channels[i].MainURL() == "" {
				t.Fatalf("channel %s has no main URL", cfg.Channels[i].ID)
			}
		}
	})
}
