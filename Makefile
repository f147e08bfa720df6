# lubo: `make run` starts the demo, `make test` runs every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PREFIX  ?= /usr/local
PLAYER  := api/web/vendor/hls.min.js

.PHONY: all build run test deps web fuzz bench bench-go bench-box install testdata clean

all: build

## web: fetch the browser players (hls.js, mpegts.js) from the npm registry (pinned in api/web/package.json)
## for the dashboard (api/web/vendor) and the box API's play pages (api/boxapi/web/vendor)
PLAYERS := $(PLAYER) api/web/vendor/mpegts.js api/boxapi/web/vendor/hls.min.js api/boxapi/web/vendor/mpegts.js \
	api/dashboard/web/vendor/hls.min.js api/dashboard/web/vendor/mpegts.js
web: $(PLAYERS)
$(PLAYERS) &: api/web/package.json
	cd api/web && npm install --no-audit --no-fund --loglevel=error
	cp api/web/node_modules/hls.js/dist/hls.min.js $(PLAYER)
	cp api/web/node_modules/mpegts.js/dist/mpegts.js api/web/vendor/mpegts.js
	mkdir -p api/boxapi/web/vendor
	cp $(PLAYER) api/web/vendor/mpegts.js api/boxapi/web/vendor/
	mkdir -p api/dashboard/web/vendor
	cp $(PLAYER) api/web/vendor/mpegts.js api/dashboard/web/vendor/

## build: bin/lubo and bin/lubo-fakecam
build: web
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lubo ./cmd/lubo
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lubo-fakecam ./cmd/lubo-fakecam

## run: the embedded demo channel at http://localhost:8080/
run: build
	./bin/lubo run

## deps: Debian packages the tests use (ffmpeg, chromium); installs them as root
deps:
	bash scripts/deps.sh

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.6.1

## test: vet and staticcheck, then every test with the race detector
test: deps web
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) test -race -count=1 -timeout 15m ./... ./testdata/ ./testdata/testmedia/
	bash scripts/fuzz.sh

## fuzz: the hostile-input parsers' fuzz targets, FUZZTIME each (default 8s)
fuzz:
	bash scripts/fuzz.sh

## bench: Go micro-benchmarks, then 16 channels against the fake camera, relay only and then all recording
bench: bench-go bench-box
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...
bench-box: build
	bash testdata/make.sh bench
	$(GO) run ./cmd/lubo-bench -lubo bin/lubo -fakecam bin/lubo-fakecam -channels 16,48 -duration 60s -record

## install: binary, systemd unit, system user and an example config (never overwrites a config)
install: build
	install -D -m 0755 bin/lubo $(DESTDIR)$(PREFIX)/bin/lubo
	install -D -m 0644 systemd/lubo.service $(DESTDIR)/etc/systemd/system/lubo.service
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/lubo/README.md
	install -D -m 0644 configs/lubo.yaml $(DESTDIR)$(PREFIX)/share/doc/lubo/lubo.yaml.example
	@if [ -z "$(DESTDIR)" ] && ! getent passwd lubo >/dev/null; then \
		useradd --system --no-create-home --home-dir /var/lib/lubo --shell /usr/sbin/nologin lubo; \
		echo "created system user lubo"; \
	fi
	@if [ -e $(DESTDIR)/etc/lubo/lubo.yaml ]; then \
		echo "keeping existing /etc/lubo/lubo.yaml"; \
	else \
		install -D -m 0640 configs/lubo.yaml $(DESTDIR)/etc/lubo/lubo.yaml; \
		if getent group lubo >/dev/null; then chgrp lubo $(DESTDIR)/etc/lubo/lubo.yaml; fi; \
		echo "installed example config /etc/lubo/lubo.yaml: edit it, then: systemctl enable --now lubo"; \
	fi

## testdata: regenerate the small test media with ffmpeg
testdata:
	bash testdata/make.sh

clean:
	rm -rf bin api/web/node_modules $(PLAYERS)
