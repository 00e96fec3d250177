package api

// Internals the external tests share with the document generator, so that
// their schema walkers read a schema as it does.
var (
	// FixedExample is fixedExample.
	FixedExample = fixedExample
	// SchemaType is schemaType.
	SchemaType = schemaType
)
