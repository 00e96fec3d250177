# The commands README names. `make test` is what CI runs.
.PHONY: run test services build vet fuzz

# Run the service on its embedded defaults: SQLite under ./data, in-process Redis.
run:
	go run ./cmd/countersign serve

# Start Redis and PostgreSQL when needed, then run every test with the race detector.
test: services
	go vet ./...
	go test -race -timeout 20m ./...
	$(MAKE) fuzz

services:
	./scripts/services.sh

build:
	CGO_ENABLED=1 go build -o countersign ./cmd/countersign

vet:
	gofmt -l . | (! grep .) && go vet ./...

# A short run of every fuzz target of the API (10s each; see docs/reliability.md
# to run them longer). A finding fails the run and is saved under api/testdata/fuzz.
FUZZ_TIME ?= 10s
fuzz:
	go test -run '^$$' -fuzz '^FuzzRequestBodies$$' -fuzztime $(FUZZ_TIME) ./api/
	go test -run '^$$' -fuzz '^FuzzQueryStrings$$' -fuzztime $(FUZZ_TIME) ./api/
	go test -run '^$$' -fuzz '^FuzzPathParams$$' -fuzztime $(FUZZ_TIME) ./api/
