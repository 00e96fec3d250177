package main

import (
	"io"
	"strings"
	"testing"
)

func TestAPIRateLimitSetting(t *testing.T) {
	for _, c := range []struct {
		env, flag string
		want      float64
		bad       bool
	}{
		{"", "", 50, false},
		{"0", "", 0, false},
		{"200", "", 200, false},
		{"200", "0.5", 0.5, false},
		{"-1", "", 0, true},
		{"NaN", "", 0, true},
		{"Inf", "", 0, true},
		{"fast", "", 0, true},
	} {
		var args []string
		if c.flag != "" {
			args = []string{"--api-rate-limit", c.flag}
		}
		cfg, err := loadConfig("serve", args, env(map[string]string{"COUNTERSIGN_API_RATE_LIMIT": c.env}), io.Discard, true)
		switch {
		case c.bad && (err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "COUNTERSIGN_API_RATE_LIMIT")):
			t.Errorf("env %q flag %q: %v, want a usage error naming the setting", c.env, c.flag, err)
		case !c.bad && (err != nil || cfg.APIRateLimit != c.want):
			t.Errorf("env %q flag %q: %v, %v; want %v", c.env, c.flag, cfg.APIRateLimit, err, c.want)
		}
	}
}
