module github.com/countersign/countersign

go 1.26

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/oklog/ulid/v2 v2.1.2 // indirect
)
