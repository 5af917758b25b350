# zcopy: zero-copy cat, tee and cp.
#
#   make            build bin/zcat, bin/ztee, bin/zcp, bin/zcopy
#   make install    install them, their man pages and the bash, zsh and fish
#                   completions (made by bin/zcopy) under $(DESTDIR)$(PREFIX)
#   make man        remake the OPTIONS sections of man/*.1 from internal/cmdspec
#   make test       go vet, gofmt, staticcheck, then every test
#   make bench      side-by-side measurements against GNU coreutils
#   make fuzz       differential fuzzing against GNU, FUZZTIME per target

GO          ?= go
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR     ?=
# gzip ships a zcat too: `make install ZCAT_NAME=zzcat` installs ours under
# another name (its man page follows).
ZCAT_NAME   ?= zcat
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
TESTFLAGS   ?= -timeout 8m
FUZZTIME    ?= 1m

CMDS := $(notdir $(wildcard cmd/*))
BINS := $(addprefix bin/,$(CMDS))

.PHONY: all build install uninstall man test vet fmt-check staticcheck bench fuzz clean FORCE

all: build

build: $(BINS)

bin/%: FORCE
	$(GO) build -trimpath -o $@ ./cmd/$*

# name of a command once installed: zcat may be renamed, the others not.
inst = $(if $(filter zcat,$(1)),$(ZCAT_NAME),$(1))

install: build
	@existing=$$(command -v $(ZCAT_NAME) 2>/dev/null || true); \
	if [ -n "$$existing" ] && [ "$$existing" != "$(BINDIR)/$(ZCAT_NAME)" ] && \
	   ! "$$existing" --version 2>/dev/null | grep -q zcopy; then \
		echo "warning: $$existing is another $(ZCAT_NAME) (gzip's?) on PATH." >&2; \
		echo "warning: $(BINDIR)/$(ZCAT_NAME) may shadow it; to keep it, run: make install ZCAT_NAME=zzcat" >&2; \
	fi
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	@set -e; for c in $(CMDS); do \
		n=$$(if [ $$c = zcat ]; then echo $(ZCAT_NAME); else echo $$c; fi); \
		echo "install bin/$$c $(DESTDIR)$(BINDIR)/$$n"; \
		install -m 0755 bin/$$c $(DESTDIR)$(BINDIR)/$$n; \
		if [ -f man/$$c.1 ]; then install -m 0644 man/$$c.1 $(DESTDIR)$(MANDIR)/man1/$$n.1; fi; \
	done
	@# The completions are what `zcopy completion` prints: bash and fish load
	@# one file per command name, zsh one file for all (#compdef).
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	@set -e; for c in $(CMDS); do \
		n=$$(if [ $$c = zcat ]; then echo $(ZCAT_NAME); else echo $$c; fi); \
		echo "bin/zcopy completion bash|fish $$c=$$n"; \
		bin/zcopy completion bash $$c=$$n > $(DESTDIR)$(BASHCOMPDIR)/$$n; \
		bin/zcopy completion fish $$c=$$n > $(DESTDIR)$(FISHCOMPDIR)/$$n.fish; \
		chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/$$n $(DESTDIR)$(FISHCOMPDIR)/$$n.fish; \
	done
	bin/zcopy completion zsh $(foreach c,$(CMDS),$(c)=$(call inst,$(c))) > $(DESTDIR)$(ZSHCOMPDIR)/_zcopy
	chmod 0644 $(DESTDIR)$(ZSHCOMPDIR)/_zcopy

uninstall:
	@for c in $(CMDS); do \
		n=$$(if [ $$c = zcat ]; then echo $(ZCAT_NAME); else echo $$c; fi); \
		rm -f $(DESTDIR)$(BINDIR)/$$n $(DESTDIR)$(MANDIR)/man1/$$n.1; \
		rm -f $(DESTDIR)$(BASHCOMPDIR)/$$n $(DESTDIR)$(FISHCOMPDIR)/$$n.fish; \
	done
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_zcopy

man:
	$(GO) test ./internal/cmdspec -run TestManPagesCurrent -update

test: vet fmt-check staticcheck
	$(GO) test $(TESTFLAGS) ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...

bench: build
	./tests/bench/run.sh

# Each fuzzer runs FUZZTIME; new failing inputs land in testdata/fuzz/ and
# are replayed by `make test` from then on. The last step prints the
# figures of the README's Reliability section.
fuzz:
	@stats=$$(mktemp -d); set -e; \
	for f in FuzzZcat FuzzZtee FuzzZcp; do \
		ZCOPY_FUZZ_STATS=$$stats $(GO) test ./tests/ -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -parallel 2; \
	done; \
	$(GO) test ./internal/catfmt/ -run '^$$' -fuzz '^FuzzFormat$$' -fuzztime $(FUZZTIME); \
	$(GO) test ./internal/catfmt/ -run '^$$' -fuzz '^FuzzFormatOperands$$' -fuzztime $(FUZZTIME); \
	ZCOPY_FUZZ_STATS=$$stats $(GO) test ./tests/ -run '^TestFuzzStats$$' -v -count=1 | grep -v '^=== RUN'; \
	rm -rf $$stats

clean:
	rm -rf bin

FORCE:
