package box

import (
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/testkit"
)

// A reload that changes only a password hash is warned about (secrets
// print alike), and one that changes nothing with TLS on is not (TLS is a
// pointer).
func TestRestartOnlySettingsAreWarnedAbout(t *testing.T) {
	parse := func(hash string) *configs.Config {
		t.Helper()
		cfg, err := configs.Parse([]byte(`data_dir: /tmp/x
http: {listen: ":8080", tls: {cert: /c.pem, key: /k.pem}}
auth: {users: [{name: admin, role: admin, password_hash: "`+hash+`"}]}
`), "lubo.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	const h1 = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE"
	const h2 = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI"
	var logs testkit.LogBuffer
	warnRestartOnly(logs.Logger(), parse(h1), parse(h1))
	if strings.Contains(logs.String(), "restart") {
		t.Errorf("an unchanged config with TLS was warned about:\n%s", logs.String())
	}
	warnRestartOnly(logs.Logger(), parse(h1), parse(h2))
	if !strings.Contains(logs.String(), "auth and http settings change only on restart") {
		t.Errorf("a new password hash was not warned about:\n%s", logs.String())
	}
}
