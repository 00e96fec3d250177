package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
)

// maxExact is 2^53, beyond which an IEEE 754 double skips integers.
var maxExact = big.NewInt(1 << 53)

// IJSON returns a JSON text in which every integer beyond ±2^53 is replaced by
// a string of its digits, and the text unchanged when it has none. Canonical
// refuses such integers (JCS would round them); a record body that carries one
// (an attribute a client sent, a counter) goes into the log through IJSON, so
// that its leaf holds the exact value, as a string, and the same row always
// gives the same bytes. Numbers with a fraction or an exponent are doubles in
// JSON's own model and are left alone.
func IJSON(text []byte) (json.RawMessage, error) {
	if !hasLongInteger(text) {
		return text, nil
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("evidence: read JSON: %w", err)
	}
	out, err := json.Marshal(stringifyLong(v))
	if err != nil {
		return nil, fmt.Errorf("evidence: write JSON: %w", err)
	}
	return out, nil
}

// hasLongInteger is a cheap test: a run of 16 or more digits is the only way
// to write an integer beyond 2^53 (9007199254740992) without an exponent.
func hasLongInteger(text []byte) bool {
	run := 0
	for _, c := range text {
		if c >= '0' && c <= '9' {
			if run++; run >= 16 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func stringifyLong(v any) any {
	switch v := v.(type) {
	case json.Number:
		if beyondExact(string(v)) {
			return string(v)
		}
		return v
	case []any:
		for i := range v {
			v[i] = stringifyLong(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = stringifyLong(v[k])
		}
	}
	return v
}
