package flv

import "testing"

// Reading an enhanced header allocates nothing: it runs for every picture
// of an enhanced-FLV camera.
func TestExVideoHeaderDoesNotAllocate(t *testing.T) {
	tag := []byte{0x90 | exPacketCodedFramesX, 'h', 'v', 'c', '1', 0, 0, 0, 5, 0x26, 1, 0xaf, 0, 0}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := parseExVideoHeader(tag); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per enhanced header", n)
	}
}
