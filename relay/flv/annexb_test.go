package flv

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

// TestEachNALUMatchesMedia checks the fast splitter against the shared one
// on inputs dense with zeros and start codes.
func TestEachNALUMatchesMedia(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	alphabet := []byte{0, 0, 0, 1, 3, 0x65, 0xff}
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var want, got [][]byte
		media.SplitAnnexB(b, func(n []byte) bool { want = append(want, n); return true })
		eachNALU(b, func(n []byte) { got = append(got, n) })
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("eachNALU(%x) = %x, media.SplitAnnexB = %x", b, got, want)
		}
	}
}
