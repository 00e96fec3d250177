package workflow

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// ValidatePersonalCode checks that code is a well-formed personal code of
// country (ISO 3166-1 alpha-2, any case). An unknown country is EINVALID (field
// "country"); a bad code is EVALIDATION (field "personalCode").
//
//   - LV: the old form DDMMYY-CNNNK (hyphen optional): a real date of birth, C the
//     century (0: 1800s, 1: 1900s, 2: 2000s) and K the check digit
//     (1 + Σ wᵢdᵢ) mod 11 mod 10 with weights 10,5,8,4,2,1,6,3,7,9; or the form
//     issued since July 2017, 32NNNN-NNNNN (hyphen optional), which carries no
//     date and no check digit.
//   - LT and EE: GYYMMDDNNNC, G the sex and century (1–2: 1800s, 3–4: 1900s,
//     5–6: 2000s), YYMMDD a real date and C the check digit: Σ wᵢdᵢ mod 11 with
//     weights 1..9,1; when that is 10, again with weights 3..9,1..3; when that is
//     10 too, 0. LT also issues codes starting with 9 in exceptional cases, which
//     carry no date; only their check digit is checked.
//   - Any other country: 1 to 32 characters of A–Z, a–z, 0–9 and "-".
//
// Dates of birth are not compared with today: there is no clock here.
func ValidatePersonalCode(country, code string) error {
	c := strings.ToUpper(country)
	if !ValidCountry(c) {
		return countersign.FieldErrorf(countersign.EINVALID, "country", "%q is not an ISO 3166-1 alpha-2 country code", country)
	}
	switch c {
	case "LV":
		return validateLV(code)
	case "LT", "EE":
		return validateBaltic(c, code)
	default:
		return checkGenericCode(code)
	}
}

// NormalizePersonalCode returns code as it is compared: without surrounding or
// inner spaces, upper case and, for LV, LT and EE, without hyphens.
func NormalizePersonalCode(country, code string) string {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "LV", "LT", "EE":
		code = strings.ReplaceAll(code, "-", "")
	}
	return code
}

// badCode returns the EVALIDATION error of a personal code.
func badCode(format string, args ...any) error {
	return countersign.FieldErrorf(countersign.EVALIDATION, "personalCode", format, args...)
}

var genericCodeRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)

// checkGenericCode checks a personal code of a country without specific rules.
func checkGenericCode(code string) error {
	if !genericCodeRE.MatchString(code) {
		return badCode("must be 1 to 32 letters, digits or hyphens")
	}
	return nil
}

var lvCodeRE = regexp.MustCompile(`^[0-9]{6}-?[0-9]{5}$`)

// validateLV checks a Latvian personal code.
func validateLV(code string) error {
	if !lvCodeRE.MatchString(code) {
		return badCode("an LV personal code is 11 digits, DDMMYY-NNNNN or 32NNNN-NNNNN")
	}
	d := digits(strings.ReplaceAll(code, "-", ""))
	if d[0] == 3 && d[1] == 2 {
		return nil
	}
	if d[6] > 2 {
		return badCode("the century digit of an LV personal code (the 7th) must be 0, 1 or 2")
	}
	if !validDate(1800+100*d[6]+10*d[4]+d[5], 10*d[2]+d[3], 10*d[0]+d[1]) {
		return badCode("an LV personal code starts with a date of birth, DDMMYY")
	}
	sum := 1
	for i, w := range []int{10, 5, 8, 4, 2, 1, 6, 3, 7, 9} {
		sum += w * d[i]
	}
	if sum%11%10 != d[10] {
		return badCode("the check digit of the LV personal code is wrong")
	}
	return nil
}

var balticCodeRE = regexp.MustCompile(`^[0-9]{11}$`)

// validateBaltic checks a Lithuanian or Estonian personal code.
func validateBaltic(country, code string) error {
	if !balticCodeRE.MatchString(code) {
		return badCode("an %s personal code is 11 digits", country)
	}
	d := digits(code)
	switch g := d[0]; {
	case g >= 1 && g <= 6:
		year := 1800 + 100*((g-1)/2) + 10*d[1] + d[2]
		if !validDate(year, 10*d[3]+d[4], 10*d[5]+d[6]) {
			return badCode("an %s personal code holds a date of birth, YYMMDD, after its first digit", country)
		}
	case g == 9 && country == "LT":
	default:
		return badCode("the first digit of an %s personal code must be 1 to 6", country)
	}
	if balticCheckDigit(d) != d[10] {
		return badCode("the check digit of the %s personal code is wrong", country)
	}
	return nil
}

// balticCheckDigit returns the check digit of an LT or EE code's first 10 digits.
func balticCheckDigit(d []int) int {
	sum := 0
	for i := range 10 {
		sum += (i%9 + 1) * d[i]
	}
	if sum%11 != 10 {
		return sum % 11
	}
	sum = 0
	for i := range 10 {
		sum += ((i+2)%9 + 1) * d[i]
	}
	return sum % 11 % 10
}

// digits returns the values of the ASCII digits of s.
func digits(s string) []int {
	d := make([]int, len(s))
	for i := range len(s) {
		d[i] = int(s[i] - '0')
	}
	return d
}

// validDate reports whether year-month-day is a real calendar date.
func validDate(year, month, day int) bool {
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Year() == year && int(t.Month()) == month && t.Day() == day
}

// Countries lists the 249 officially assigned ISO 3166-1 alpha-2 country codes,
// sorted. It is the list signerCountry and personal-code countries are checked
// against.
var Countries = []string{
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
	"BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
	"BT", "BV", "BW", "BY", "BZ",
	"CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW",
	"CX", "CY", "CZ",
	"DE", "DJ", "DK", "DM", "DO", "DZ",
	"EC", "EE", "EG", "EH", "ER", "ES", "ET",
	"FI", "FJ", "FK", "FM", "FO", "FR",
	"GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT",
	"GU", "GW", "GY",
	"HK", "HM", "HN", "HR", "HT", "HU",
	"ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
	"JE", "JM", "JO", "JP",
	"KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ",
	"LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
	"MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
	"MT", "MU", "MV", "MW", "MX", "MY", "MZ",
	"NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
	"OM",
	"PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY",
	"QA",
	"RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
	"ST", "SV", "SX", "SY", "SZ",
	"TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ",
	"UA", "UG", "UM", "US", "UY", "UZ",
	"VA", "VC", "VE", "VG", "VI", "VN", "VU",
	"WF", "WS",
	"YE", "YT",
	"ZA", "ZM", "ZW",
}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code, upper case.
func ValidCountry(code string) bool {
	_, ok := slices.BinarySearch(Countries, code)
	return ok
}
