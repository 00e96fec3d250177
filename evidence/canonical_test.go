package evidence

import "testing"

// Vectors from RFC 8785 §3.2.2 and appendix B.
func TestEvidenceCanonicalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b": 1, "a": [true, null, "x"]}`, `{"a":[true,null,"x"],"b":1}`},
		{`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}`,
			`{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}`},
		{`[1e21, 1e20, 1e-7, 0.000001, -0, -1.5e-9, 100]`, `[1e+21,100000000000000000000,1e-7,0.000001,0,-1.5e-9,100]`},
		{`[9007199254740992, -9007199254740992]`, `[9007199254740992,-9007199254740992]`},
		{`{"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"}`, `{"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		{`{"\u20ac":1,"\r":2,"\ufb33":3,"1":4,"\ud83d\ude00":5,"\u0080":6,"\u00f6":7}`,
			"{\"\\r\":2,\"1\":4,\"\u0080\":6,\"ö\":7,\"€\":1,\"😀\":5,\"\ufb33\":3}"},
	}
	for _, tt := range tests {
		got, err := Canonicalize([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if string(got) != tt.want {
			t.Errorf("Canonicalize(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `{"a":1} {}`, `[1e400]`, `{"a":}`, `{"id":9007199254740993}`} {
		if _, err := Canonicalize([]byte(bad)); err == nil {
			t.Errorf("Canonicalize(%q) accepted", bad)
		}
	}
}

// Bytes that decode to a record but are not its canonical form are refused,
// so one record has exactly one leaf hash.
func TestEvidenceParseRecordRefusesNonCanonical(t *testing.T) {
	rec := Record{Kind: KindEvent, Workspace: "wsp_1", ID: "evt_1", ProcessID: "prc_1", Body: []byte(`{"b":2, "a":1}`)}
	c, err := rec.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"body":{"a":1,"b":2},"kind":"event","process":"prc_1","record":"evt_1","seq":0,"v":1,"workspace":"wsp_1"}`
	if string(c) != want {
		t.Fatalf("canonical bytes\n got %s\nwant %s", c, want)
	}
	if _, err := ParseRecord(c); err != nil {
		t.Fatalf("ParseRecord(canonical): %v", err)
	}
	spaced := []byte(`{"body":{"a":1, "b":2},"kind":"event","process":"prc_1","record":"evt_1","seq":0,"v":1,"workspace":"wsp_1"}`)
	if _, err := ParseRecord(spaced); err == nil {
		t.Fatal("ParseRecord accepted bytes that are not canonical")
	}
}

func TestEvidenceCanonicalizeBeyondInt64(t *testing.T) {
	if _, err := Canonicalize([]byte(`{"n":123456789012345678901234}`)); err == nil {
		t.Error("Canonicalize accepted an integer beyond int64")
	}
	if _, err := Canonicalize([]byte(`{"f":1234567890123456789.5}`)); err != nil {
		t.Errorf("a number with a fraction is a double: %v", err)
	}
}
