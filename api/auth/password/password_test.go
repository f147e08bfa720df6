package password

import (
	"fmt"
	"strings"
	"testing"
)

// cheap keeps the tests fast; the format and checks are the same.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := HashWith("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q does not have the PHC argon2id prefix", h)
	}
	parsed, err := Parse(h)
	if err != nil {
		t.Fatal(err)
	}
	if !parsed.Verify("correct horse") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"", "correct hors", "correct horse ", strings.Repeat("x", MaxInput+1)} {
		if parsed.Verify(wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	if parsed.Params() != cheap {
		t.Errorf("Params() = %+v, want %+v", parsed.Params(), cheap)
	}
	h2, _ := HashWith("correct horse", cheap)
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestDefaultIsOWASPMinimum(t *testing.T) {
	h, err := Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("default hash %q", h)
	}
	p, err := Parse(h)
	if err != nil || !p.Verify("pw") {
		t.Fatalf("default hash does not verify: %v", err)
	}
}

func TestHashRefusesLongPassword(t *testing.T) {
	if _, err := HashWith(strings.Repeat("a", MaxInput+1), cheap); err != ErrTooLong {
		t.Fatalf("err = %v, want ErrTooLong", err)
	}
}

// A hash made by an independent implementation (the reference argon2 tool:
// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e).
const referenceHash = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"

// parseCases feed TestParse and FuzzParse's seeds.
var parseCases = []struct {
	in   string
	ok   bool
	want string // part of the error
}{
	{"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzYWx0$" + strings.Repeat("A", 43), true, ""},
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", true, ""},
	{"", false, "not an argon2id hash"},
	{"hunter2", false, "not an argon2id hash"},
	{"$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", false, "not an argon2id hash"},
	{"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "not argon2id"},
	{"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "version"},
	{"$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "m=KiB"},
	{"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "m=KiB"},
	{"$argon2id$v=19$m=x,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "not a number"},
	{"$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "m=4 is outside"},
	{"$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "m=4194304 is outside"},
	{"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "t=0"},
	{"$argon2id$v=19$m=64,t=100,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "t=100"},
	{"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "p=0"},
	{"$argon2id$v=19$m=64,t=1,p=300$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", false, "p=300"},
	{"$argon2id$v=19$m=64,t=1,p=1$c29t$AAAAAAAAAAAAAAAAAAAAAA", false, "salt is 3 bytes"},
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$AAAAAAAAAAAAAAAAAAAAAA", false, "salt is not base64"},
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAA", false, "key is 3 bytes"},
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AA!A", false, "key is not base64"},
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA$", false, "not an argon2id hash"},
	{referenceHash, true, ""},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		_, err := Parse(c.in)
		if c.ok != (err == nil) {
			t.Errorf("Parse(%q) error = %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error %q does not say %q", c.in, err, c.want)
		}
	}
}

func TestReferenceVector(t *testing.T) {
	// RFC 9106-style check against an independent implementation: the
	// phc-winner-argon2 command line tool's output for "password".
	h, err := Parse(referenceHash)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Verify("password") {
		t.Error("the reference tool's hash of \"password\" does not verify")
	}
	if h.Verify("Password") {
		t.Error("a wrong password verifies against the reference hash")
	}
}

func TestErrorsAndFormattingHideTheHash(t *testing.T) {
	secretish := "$argon2id$v=19$m=64,t=1,p=1$c2VjcmV0c2FsdHNhbHQ$" + "SECRETKEYSECRETKEYSECRETKEY!"
	_, err := Parse(secretish)
	if err == nil || strings.Contains(err.Error(), "SECRETKEY") || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Fatalf("error %v repeats the hash", err)
	}
	_, err = Parse("$hunter2isMyPassword$v=19$a$b$c")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v repeats a pasted password", err)
	}
	h, _ := HashWith("pw", cheap)
	p, _ := Parse(h)
	key := h[strings.LastIndex(h, "$")+1:]
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, p); strings.Contains(out, key) {
			t.Errorf("%s of a Hashed prints the key: %s", f, out)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in, "password")
	}
	f.Fuzz(func(t *testing.T, s, pw string) {
		h, err := Parse(s)
		if err != nil {
			return
		}
		p := h.Params()
		if p.Memory > MaxMemory || p.Time > MaxTime || p.Threads > MaxThreads || p.Threads == 0 || p.Time == 0 {
			t.Fatalf("Parse accepted out-of-limit parameters %+v", p)
		}
		if p.Memory*uint32(p.Time) <= 4096 { // keep each fuzz run cheap
			h.Verify(pw)
		}
	})
}
