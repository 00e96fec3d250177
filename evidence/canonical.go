package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Canonicalize returns the RFC 8785 (JSON Canonicalization Scheme) form of a
// JSON text: no insignificant whitespace, object members sorted by the UTF-16
// code units of their names, strings with the minimal escaping, numbers as
// ECMAScript prints an IEEE 754 double. JCS is chosen over a home-made
// encoding because an auditor can reproduce it in any language from a
// published standard, and because it survives a database that re-serializes
// JSON (PostgreSQL jsonb reorders keys and drops whitespace): the stored row
// still yields the bytes that were hashed. Like JCS it requires I-JSON:
// integers beyond ±2^53 are refused rather than rounded.
func Canonicalize(text []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("evidence: canonicalize: %w", err)
	}
	if dec.More() {
		return nil, errors.New("evidence: canonicalize: trailing data after the JSON value")
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, fmt.Errorf("evidence: canonicalize: %w", err)
	}
	return buf.Bytes(), nil
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("number %s is not an IEEE 754 double", v)
		}
		// JCS prints numbers as doubles, which would silently round an
		// integer beyond 2^53 (an id, a nanosecond count): refuse it, so that
		// the canonical bytes never show another value than the row holds.
		if beyondExact(string(v)) {
			return fmt.Errorf("integer %s is beyond 2^53; send it as a string (I-JSON, RFC 7493)", v)
		}
		b.WriteString(formatNumber(f))
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeCanonical(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// maxExact is 2^53, beyond which an IEEE 754 double skips integers.
var maxExact = big.NewInt(1 << 53)

// beyondExact reports whether a JSON number is an integer beyond ±2^53 (and
// beyond int64 too, where strconv.ParseInt gives up).
func beyondExact(n string) bool {
	if strings.ContainsAny(n, ".eE") {
		return false
	}
	i, ok := new(big.Int).SetString(n, 10)
	return ok && new(big.Int).Abs(i).Cmp(maxExact) > 0
}

// lessUTF16 orders member names by their UTF-16 code units, as JCS requires;
// it differs from Go's byte order only for characters beyond the BMP.
func lessUTF16(a, b string) bool {
	if !beyondBMP(a) && !beyondBMP(b) {
		return a < b // UTF-8 byte order is code point order, UTF-16's below U+10000
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// formatNumber prints a double as ECMAScript's Number.prototype.toString does
// (ECMA-262 7.1.12.1), which JCS adopts: the shortest round-tripping digits,
// in plain notation for 1e-7 <= |f| < 1e21 and in exponent notation otherwise.
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// digits × 10^(n-k): "d.ddde±x" gives the digits and n = x+1.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	n, k := x+1, len(digits)
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	out := digits[:1]
	if k > 1 {
		out += "." + digits[1:]
	}
	if n-1 >= 0 {
		return sign + out + "e+" + strconv.Itoa(n-1)
	}
	return sign + out + "e" + strconv.Itoa(n-1)
}

// beyondBMP reports whether s holds a character beyond U+FFFF, which UTF-8
// writes with a lead byte of 0xF0 or more.
func beyondBMP(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 {
			return true
		}
	}
	return false
}
