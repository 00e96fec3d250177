# The commands README names. `make test` is what CI runs.
.PHONY: run test services build vet

# Run the service on its embedded defaults: SQLite under ./data, in-process Redis.
run:
	go run ./cmd/countersign serve

# Start Redis and PostgreSQL when needed, then run every test with the race detector.
test: services
	go vet ./...
	go test -race -timeout 20m ./...

services:
	./scripts/services.sh

build:
	CGO_ENABLED=1 go build -o countersign ./cmd/countersign

vet:
	gofmt -l . | (! grep .) && go vet ./...
