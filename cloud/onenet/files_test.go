package onenet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
)

func writeFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestUploadFileLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	path, data := writeFile(t, onenet.MaxFileSize) // exactly 8 MiB
	if err := f.client.UploadFilePath(ctx, path, "rec_c101_20261127.mp4", "一节课"); err != nil {
		t.Fatal(err)
	}
	files := f.emu.Files()
	if len(files) != 1 || files[0].Name != "rec_c101_20261127.mp4" || files[0].Desc != "一节课" || len(files[0].Data) != 8388608 ||
		sha256.Sum256(files[0].Data) != sha256.Sum256(data) {
		t.Fatalf("stored %d files, first %d bytes", len(files), len(files[0].Data))
	}

	path, _ = writeFile(t, onenet.MaxFileSize+1)
	err := f.noRequest(t, func() error { return f.client.UploadFilePath(ctx, path, "big.mp4", "") })
	if !errors.Is(err, onenet.ErrFileTooLarge) || onenet.Retryable(err) || !strings.Contains(err.Error(), "8388609") {
		t.Fatalf("8 MiB + 1: %v", err)
	}
	err = f.noRequest(t, func() error {
		return f.client.UploadFile(ctx, "big.mp4", "", strings.NewReader(""), onenet.MaxFileSize+1)
	})
	if !errors.Is(err, onenet.ErrFileTooLarge) {
		t.Fatalf("UploadFile 8 MiB + 1: %v", err)
	}
}

func TestUploadFileDuplicate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := []byte("slice one")
	if err := f.client.UploadFile(ctx, "a.mp4", "", bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	err := f.client.UploadFile(ctx, "a.mp4", "", bytes.NewReader(body), int64(len(body)))
	if !errors.Is(err, onenet.ErrDuplicateName) || onenet.Retryable(err) {
		t.Fatalf("duplicate: %v", err)
	}
	// A lost answer, then the same upload again.
	f.emu.DropNextAnswers(1)
	err = f.client.UploadFile(ctx, "b.mp4", "", bytes.NewReader(body), int64(len(body)))
	if !errors.Is(err, onenet.ErrDuplicateName) {
		t.Fatalf("after a lost answer: %v", err)
	}

	// A platform that overwrites just succeeds.
	g := newFixture(t, func(c *onenettest.Config) { c.OverwriteFiles = true })
	for range 2 {
		if err := g.client.UploadFile(ctx, "a.mp4", "", bytes.NewReader(body), int64(len(body))); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFilesListAndDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, n := range []string{"a.mp4", "b.jpg"} {
		if err := f.client.UploadFile(ctx, n, "d-"+n, strings.NewReader(n), int64(len(n))); err != nil {
			t.Fatal(err)
		}
	}
	all, err := f.client.Files(ctx, "")
	if err != nil || len(all) != 2 || all[0].Name != "a.mp4" || all[0].Size != 5 || all[0].Desc != "d-a.mp4" || all[0].Date != f.clock.Now().Unix() {
		t.Fatalf("list = %+v, %v", all, err)
	}
	one, err := f.client.Files(ctx, "b.jpg")
	if err != nil || len(one) != 1 || one[0].Name != "b.jpg" {
		t.Fatalf("list b.jpg = %+v, %v", one, err)
	}
	if err := f.client.DeleteFile(ctx, "a.mp4"); err != nil {
		t.Fatal(err)
	}
	err = f.client.DeleteFile(ctx, "a.mp4")
	if e := wantErrno(t, err, 404); e.HTTPStatus != 404 || onenet.Retryable(err) {
		t.Fatalf("delete twice: %v", err)
	}
	if files := f.emu.Files(); len(files) != 1 || files[0].Name != "b.jpg" {
		t.Fatalf("after delete: %+v", files)
	}
}

func TestUploadFileRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	up := func(c *onenet.Client, name, desc string) error {
		return c.UploadFile(ctx, name, desc, strings.NewReader("x"), 1)
	}
	for _, tc := range []struct {
		name, desc, field string
	}{
		{"", "", "name"},
		{strings.Repeat("n", 257), "", "name"},
		{"a b.mp4", "", "name"},
		{"课.mp4", "", "name"},
		{"a/b.mp4", "", "name"},
		{"ok.mp4", strings.Repeat("描", 1025), "desc"},
	} {
		wantField(t, f.noRequest(t, func() error { return up(f.client, tc.name, tc.desc) }), tc.field)
	}
	// The limits themselves pass.
	if err := up(f.client, strings.Repeat("n", 256), strings.Repeat("描", 1024)); err != nil {
		t.Fatal(err)
	}

	// Keys: none or wrong is 401, a device key 403; all permanent.
	_, devKey := f.emu.AddDevice("box")
	for _, tc := range []struct {
		key    onenet.Secret
		status int
	}{{"", 401}, {"wrong", 401}, {onenet.Secret(devKey), 403}} {
		err := up(f.client.WithKey(tc.key), "k.mp4", "")
		if e := wantErrno(t, err, tc.status); e.HTTPStatus != tc.status || onenet.Retryable(err) || errors.Is(err, onenet.ErrDuplicateName) {
			t.Fatalf("key %q: %v", tc.key, err)
		}
	}

	// No product configured: refused locally.
	c, err := onenet.New(onenet.Config{API: f.emu.URL(), Key: masterKey})
	if err != nil {
		t.Fatal(err)
	}
	wantField(t, f.noRequest(t, func() error { return up(c, "p.mp4", "") }), "product_id")
	// Another product: 404.
	c, _ = onenet.New(onenet.Config{API: f.emu.URL(), Key: masterKey, ProductID: "1", Attempts: 1})
	wantErrno(t, up(c, "p.mp4", ""), 404)
}
