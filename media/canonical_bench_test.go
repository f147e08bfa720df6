package media

import "testing"

func BenchmarkCanonicalAnnexB(b *testing.B) {
	p := make([]byte, 20000)
	copy(p, []byte{0, 0, 0, 1, 0x41})
	for i := 5; i < len(p); i++ {
		p[i] = byte(i%251) | 1
	}
	b.SetBytes(int64(len(p)))
	for i := 0; i < b.N; i++ {
		CanonicalAnnexB(p)
	}
}
