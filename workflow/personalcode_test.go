package workflow

import (
	"slices"
	"testing"

	"github.com/countersign/countersign"
)

// Check digits, worked out so a reader can follow.
//
// LV old form DDMMYY-CNNNK: K = (1 + Σ wᵢdᵢ) mod 11 mod 10, w = 10,5,8,4,2,1,6,3,7,9.
//
//	161175-19997: 10·1+5·6+8·1+4·1+2·7+1·5+6·1+3·9+7·9+9·9 = 248; 249 mod 11 = 7 → K = 7
//	290200-20033: 10·2+5·9+8·0+4·2+2·0+1·0+6·2+3·0+7·0+9·3 = 112; 113 mod 11 = 3 → K = 3 (29 Feb 2000)
//	010190-12349: 10·0+5·1+8·0+4·1+2·9+1·0+6·1+3·2+7·3+9·4 = 96; 97 mod 11 = 9 → K = 9
//	              (so 010190-12345 fails)
//	010190-10010: 10·0+5·1+8·0+4·1+2·9+1·0+6·1+3·0+7·0+9·1 = 42; 43 mod 11 = 10 → K = 0
//
// LT and EE GYYMMDDNNNC: C = Σ wᵢdᵢ mod 11 with w = 1,2,3,4,5,6,7,8,9,1; if 10,
// again with w = 3,4,5,6,7,8,9,1,2,3; if 10 again, C = 0.
//
//	36805280109: 1·3+2·6+3·8+4·0+5·5+6·2+7·8+8·0+9·1+1·0 = 141; 141 mod 11 = 9 → C = 9
//	37605030299: 1·3+2·7+3·6+4·0+5·5+6·0+7·3+8·0+9·2+1·9 = 108; 108 mod 11 = 9 → C = 9
//	60001019906: 1·6+0+0+0+5·1+0+7·1+8·9+9·9+1·0 = 171; 171 mod 11 = 6 → C = 6 (1 Jan 2000)
//	33309240064: 1·3+2·3+3·3+4·0+5·9+6·2+7·4+8·0+9·0+1·6 = 109; 109 mod 11 = 10, so
//	             3·3+4·3+5·3+6·0+7·9+8·2+9·4+1·0+2·0+3·6 = 169; 169 mod 11 = 4 → C = 4
//	51107121760: 142 mod 11 = 10, then 132 mod 11 = 0 → C = 0
//	38001010250: 1·3+2·8+5·1+7·1+9·2+1·5 = 54; 54 mod 11 = 10, so
//	             3·3+4·8+7·1+9·1+2·2+3·5 = 76; 76 mod 11 = 10 → C = 0
//	90000000009: 1·9 = 9 → C = 9 (LT, a code without a date)
func TestValidatePersonalCode(t *testing.T) {
	tests := []struct {
		country, code string
		want          string // the error code, "" when valid
	}{
		{"LV", "161175-19997", ""},
		{"LV", "16117519997", ""},
		{"lv", "161175-19997", ""},
		{"LV", "290200-20033", ""},
		{"LV", "010190-12349", ""},
		{"LV", "010190-10010", ""},
		{"LV", "321234-56789", ""}, // new form: no date, no check digit
		{"LV", "32123456789", ""},
		{"LV", "010190-12345", countersign.EVALIDATION}, // check digit is 9
		{"LV", "161175-19998", countersign.EVALIDATION},
		{"LV", "161375-19997", countersign.EVALIDATION}, // month 13
		{"LV", "290201-20033", countersign.EVALIDATION}, // 29 Feb 2001
		{"LV", "161175-39997", countersign.EVALIDATION}, // century digit 3
		{"LV", "1611751999", countersign.EVALIDATION},   // 10 digits
		{"LV", "16117-519997", countersign.EVALIDATION}, // hyphen misplaced
		{"LV", "32123-456789", countersign.EVALIDATION},
		{"LV", "161175 19997", countersign.EVALIDATION},
		{"LV", "", countersign.EVALIDATION},
		{"LT", "33309240064", ""},
		{"LT", "51107121760", ""},
		{"LT", "38001010250", ""},
		{"LT", "90000000009", ""},
		{"LT", "33309240164", countersign.EVALIDATION}, // check digit
		{"LT", "33313240064", countersign.EVALIDATION}, // month 13
		{"LT", "73309240064", countersign.EVALIDATION}, // first digit 7
		{"LT", "3330924006", countersign.EVALIDATION},
		{"LT", "3330924006X", countersign.EVALIDATION},
		{"EE", "36805280109", ""},
		{"EE", "37605030299", ""},
		{"EE", "60001019906", ""},
		{"EE", "38001010250", ""},
		{"EE", "36805280108", countersign.EVALIDATION},
		{"EE", "76805280109", countersign.EVALIDATION}, // century digit 7: born after 2100
		{"EE", "36802300109", countersign.EVALIDATION}, // 30 Feb
		{"EE", "90000000009", countersign.EVALIDATION}, // LT only
		{"EE", "368052-80109", countersign.EVALIDATION},
		{"FI", "131052-308T", ""},
		{"US", "123-45-6789", ""},
		{"de", "X", ""},
		{"GB", "AB 12 34 56 C", countersign.EVALIDATION},
		{"SE", "", countersign.EVALIDATION},
		{"SE", "123456789012345678901234567890123", countersign.EVALIDATION}, // 33 characters
		{"SE", "ÅÄÖ", countersign.EVALIDATION},
		{"XX", "123", countersign.EINVALID},
		{"", "123", countersign.EINVALID},
		{"LVA", "161175-19997", countersign.EINVALID},
	}
	for _, tt := range tests {
		err := ValidatePersonalCode(tt.country, tt.code)
		if got := countersign.ErrorCode(err); got != tt.want {
			t.Errorf("ValidatePersonalCode(%q, %q) = %v, want code %q", tt.country, tt.code, err, tt.want)
			continue
		}
		if err != nil {
			field := map[string]string{countersign.EINVALID: "country", countersign.EVALIDATION: "personalCode"}[tt.want]
			if f := countersign.AsError(err).Field; f != field {
				t.Errorf("ValidatePersonalCode(%q, %q) field = %q, want %q", tt.country, tt.code, f, field)
			}
		}
	}
}

func TestNormalizePersonalCode(t *testing.T) {
	tests := []struct{ country, code, want string }{
		{"LV", " 161175-19997 ", "16117519997"},
		{"lt", "333 092 400 64", "33309240064"},
		{"FI", "131052-308t", "131052-308T"},
	}
	for _, tt := range tests {
		if got := NormalizePersonalCode(tt.country, tt.code); got != tt.want {
			t.Errorf("NormalizePersonalCode(%q, %q) = %q, want %q", tt.country, tt.code, got, tt.want)
		}
	}
}

func TestCountries(t *testing.T) {
	if len(Countries) != 249 {
		t.Errorf("%d countries, want 249", len(Countries))
	}
	if !slices.IsSorted(Countries) || len(slices.Compact(slices.Clone(Countries))) != len(Countries) {
		t.Errorf("Countries is not sorted and unique")
	}
	for _, c := range []string{"AD", "LV", "LT", "EE", "GB", "US", "SS", "ZW"} {
		if !ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "UK", "EU", "XK", "lv", "LVA"} {
		if ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = true", c)
		}
	}
}
