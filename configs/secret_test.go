package configs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const pw = "hunter2-very-secret"
	dev := Device{Vendor: "hikvision", Host: "10.0.0.1", User: "admin", Password: pw}
	cloud := Cloud{TPLink: &TPLink{API: "https://x", AK: "ak-" + pw, SK: "sk-" + pw}}

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("device", "password", dev.Password, "device", dev, "dev_ptr", &dev, "cloud", cloud)
	text := slog.New(slog.NewTextHandler(&buf, nil))
	text.Info("device", "password", dev.Password, "device", dev, "cloud", cloud.TPLink)
	for _, s := range []string{
		fmt.Sprint(dev.Password), fmt.Sprintf("%s %q %v %+v %#v", dev.Password, dev.Password, dev, dev, dev),
		fmt.Sprintf("%+v %#v", *cloud.TPLink, *cloud.TPLink),
	} {
		buf.WriteString(s)
	}
	j, err := json.Marshal(cloud)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(j)

	out := buf.String()
	if strings.Contains(out, pw) {
		t.Fatalf("secret leaked:\n%s", out)
	}
	if !strings.Contains(out, `"password":"******"`) {
		t.Errorf("slog JSON output lacks the redacted password:\n%s", out)
	}
	if string(dev.Password) != pw {
		t.Error("string(Secret) must return the real value")
	}
}
