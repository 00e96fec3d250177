package main

import (
	"flag"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/internal/redact"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/webhook"
)

// config is the effective configuration of a serve or worker process.
type config struct {
	Addr                string
	DatabaseURL         string
	RedisURL            string
	AllowPrivateTargets bool
	LogLevel            slog.Level
	LogFormat           string
	BodyLimit           int
	ShutdownTimeout     time.Duration
	Concurrency         int
	RetrySchedule       webhook.Schedule
	EventRetention      time.Duration
	// APIRateLimit is the requests a second one API key may make; 0 is no limit.
	APIRateLimit float64
	NoWorker     bool
	// CPUProfile is where serve or worker writes a CPU profile, if set.
	CPUProfile string
	// SMTPURL is the mail server (empty: .eml files under MailDir); MailFrom
	// the sender; PortalURL the signer portal that mail links to.
	SMTPURL   string
	MailFrom  mail.Address
	PortalURL string
	MailDir   string
	// EvidenceKey is COUNTERSIGN_EVIDENCE_KEY, the private key that signs the
	// evidence log's heads; empty uses the key file under the data directory.
	EvidenceKey string
}

// setting is one configuration value: a flag, its environment variable and its
// default. The environment overrides the default; a flag overrides both.
type setting struct {
	flag, env, def, help string
	value                string
}

// settings are every process's configuration values, in the order printed.
func settings() []*setting {
	return []*setting{
		{flag: "addr", env: "COUNTERSIGN_ADDR", def: "127.0.0.1:8080", help: "HTTP listen address"},
		{flag: "database-url", env: "COUNTERSIGN_DATABASE_URL", def: "sqlite://./data/countersign.db",
			help: "sqlite://PATH or postgres://USER:PASS@HOST/DB"},
		{flag: "redis-url", env: "COUNTERSIGN_REDIS_URL", def: "",
			help: "redis://host:port/db, redis-sentinel://h1:26379,h2:26379/db?master=NAME or redis-cluster://h1:7000,h2:7001 (rediss… for TLS); empty runs an embedded in-process Redis (development)"},
		{flag: "allow-private-targets", env: "COUNTERSIGN_ALLOW_PRIVATE_TARGETS", def: "false",
			help: "allow webhook URLs on loopback and private networks (and plain http)"},
		{flag: "log-level", env: "COUNTERSIGN_LOG_LEVEL", def: "info", help: "debug, info, warn or error"},
		{flag: "log-format", env: "COUNTERSIGN_LOG_FORMAT", def: "text", help: "text or json"},
		{flag: "body-limit", env: "COUNTERSIGN_BODY_LIMIT", def: "1048576", help: "largest request body, in bytes"},
		{flag: "shutdown-timeout", env: "COUNTERSIGN_SHUTDOWN_TIMEOUT", def: "30s", help: "graceful shutdown bound"},
		{flag: "concurrency", env: "COUNTERSIGN_WORKER_CONCURRENCY", def: "64", help: "delivery attempts in flight per worker process"},
		{flag: "retry-schedule", env: "COUNTERSIGN_RETRY_SCHEDULE", def: "",
			help: "comma-separated delays before each retry, e.g. 0s,5s,5m (empty: the default schedule)"},
		{flag: "event-retention", env: "COUNTERSIGN_EVENT_RETENTION", def: "720h",
			help: "expunge event bodies older than this (e.g. 720h = 30 days); 0 keeps them forever"},
		{flag: "api-rate-limit", env: "COUNTERSIGN_API_RATE_LIMIT", def: "50",
			help: "requests a second per API key, in bursts of twice that (429 beyond); 0 turns the limit off"},
		{flag: "smtp-url", env: "COUNTERSIGN_SMTP_URL", def: "",
			help: "smtp://user:pass@host:587 (STARTTLS), smtps://host:465, smtp://host:25?tls=none; empty writes .eml files under ./data/mail"},
		{flag: "mail-from", env: "COUNTERSIGN_MAIL_FROM", def: "",
			help: "sender of notification email, e.g. 'Countersign <noreply@example.com>' (required with an SMTP URL)"},
		{flag: "portal-url", env: "COUNTERSIGN_PORTAL_URL", def: "",
			help: "signer portal base URL that invitations link to (http or https); empty leaves the link out"},
	}
}

// loadConfig parses args (and the environment through getenv) into a config.
// Bad values are usage errors that name the flag and variable.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer, withNoWorker bool) (config, error) {
	fs := flag.NewFlagSet("countersign "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	ss := settings()
	for _, s := range ss {
		s.value = s.def
		if v := getenv(s.env); v != "" {
			s.value = v
		}
		fs.StringVar(&s.value, s.flag, s.value, s.help+" ($"+s.env+")")
	}
	var noWorker bool
	var cpuProfile string
	if name == "serve" || name == "worker" {
		fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the whole run to this file")
	}
	if withNoWorker {
		fs.BoolVar(&noWorker, "no-worker", false, "run the API only; deliveries are made by 'countersign worker' processes")
	}
	if err := fs.Parse(args); err != nil {
		return config{}, usageError{msg: errMsg(err)}
	}
	if fs.NArg() > 0 {
		return config{}, usagef("unexpected argument %q", fs.Arg(0))
	}
	val := map[string]*setting{}
	for _, s := range ss {
		val[s.flag] = s
	}
	bad := func(s *setting, shown, why string) error {
		return usagef("invalid --%s / %s %q: %s", s.flag, s.env, shown, why)
	}
	cfg := config{NoWorker: noWorker, CPUProfile: cpuProfile}
	var err error

	addr := val["addr"]
	if _, _, err := net.SplitHostPort(addr.value); err != nil {
		return config{}, bad(addr, addr.value, "want HOST:PORT")
	}
	cfg.Addr = addr.value

	db := val["database-url"]
	if !hasAnyPrefix(db.value, "sqlite://", "postgres://", "postgresql://") || db.value == "sqlite://" {
		return config{}, bad(db, redact.URL(db.value), "want sqlite://PATH or postgres://…")
	}
	cfg.DatabaseURL = db.value

	if rd := val["redis-url"]; rd.value != "" {
		if _, err := queue.ParseRedisURL(rd.value); err != nil {
			return config{}, bad(rd, redact.URL(rd.value), err.Error())
		}
		cfg.RedisURL = rd.value
	}

	private := val["allow-private-targets"]
	if cfg.AllowPrivateTargets, err = strconv.ParseBool(private.value); err != nil {
		return config{}, bad(private, private.value, "want true or false")
	}

	level := val["log-level"]
	if err := cfg.LogLevel.UnmarshalText([]byte(level.value)); err != nil {
		return config{}, bad(level, level.value, "want debug, info, warn or error")
	}

	format := val["log-format"]
	if format.value != "text" && format.value != "json" {
		return config{}, bad(format, format.value, "want text or json")
	}
	cfg.LogFormat = format.value

	limit := val["body-limit"]
	if cfg.BodyLimit, err = strconv.Atoi(limit.value); err != nil || cfg.BodyLimit < 1024 || cfg.BodyLimit > 64<<20 {
		return config{}, bad(limit, limit.value, "want a number of bytes from 1024 to 67108864")
	}

	grace := val["shutdown-timeout"]
	if cfg.ShutdownTimeout, err = time.ParseDuration(grace.value); err != nil || cfg.ShutdownTimeout <= 0 {
		return config{}, bad(grace, grace.value, "want a positive duration such as 30s")
	}

	conc := val["concurrency"]
	if cfg.Concurrency, err = strconv.Atoi(conc.value); err != nil || cfg.Concurrency < 1 || cfg.Concurrency > 10000 {
		return config{}, bad(conc, conc.value, "want a number from 1 to 10000")
	}

	cfg.RetrySchedule = webhook.DefaultSchedule
	if sched := val["retry-schedule"]; sched.value != "" {
		if cfg.RetrySchedule, err = webhook.ParseSchedule(sched.value); err != nil {
			return config{}, bad(sched, sched.value, err.Error())
		}
	}

	keep := val["event-retention"]
	if cfg.EventRetention, err = time.ParseDuration(keep.value); err != nil || cfg.EventRetention < 0 {
		return config{}, bad(keep, keep.value, "want a duration such as 720h, or 0 to keep events forever")
	}
	if why := retentionProblem(cfg.EventRetention, cfg.RetrySchedule); why != "" {
		return config{}, bad(keep, keep.value, why)
	}

	// Only from the environment: a private key on the command line would
	// show in the process list.
	if k := getenv(evidence.EnvKey); k != "" {
		if _, err := evidence.ParseKey(k); err != nil {
			return config{}, usagef("invalid %s (%s): %v", evidence.EnvKey, maskKey(k), err)
		}
		cfg.EvidenceKey = k
	}

	rate := val["api-rate-limit"]
	if cfg.APIRateLimit, err = strconv.ParseFloat(rate.value, 64); err != nil || !(cfg.APIRateLimit >= 0 && cfg.APIRateLimit <= 1e6) {
		return config{}, bad(rate, rate.value, "want requests a second from 0 (no limit) to 1000000")
	}
	if err := cfg.loadMail(val, bad); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// loadMail reads the mail settings: the SMTP URL must parse (mail.ParseURL),
// a sender is required with one, and the portal URL must be http(s).
func (c *config) loadMail(val map[string]*setting, bad func(s *setting, shown, why string) error) error {
	c.MailDir = mail.DefaultDir
	smtp, from, portal := val["smtp-url"], val["mail-from"], val["portal-url"]
	if smtp.value != "" {
		if _, err := mail.ParseURL(smtp.value); err != nil {
			return bad(smtp, redact.URL(smtp.value), err.Error())
		}
		c.SMTPURL = smtp.value
	}
	switch {
	case from.value != "":
		a, err := netmail.ParseAddress(from.value)
		if err != nil {
			return bad(from, from.value, "want an address such as noreply@example.com or 'Countersign <noreply@example.com>'")
		}
		c.MailFrom = *a
	case c.SMTPURL != "":
		return bad(from, "", "a sender address is required with an SMTP URL")
	default:
		c.MailFrom = mail.Address{Name: "Countersign", Address: "noreply@localhost"}
	}
	if portal.value != "" {
		u, err := url.Parse(portal.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad(portal, portal.value, "want an absolute http:// or https:// URL")
		}
		c.PortalURL = portal.value
	}
	return nil
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// errMsg words a flag package error; -h is not an error worth repeating.
func errMsg(err error) string {
	if err == flag.ErrHelp {
		return ""
	}
	return err.Error()
}

// logAttrs returns the effective configuration for the start-up log line,
// with the passwords in URLs masked.
func (c config) logAttrs() []any {
	redis := c.RedisURL
	if redis == "" {
		redis = "(embedded)"
	}
	return []any{
		"addr", c.Addr,
		"database_url", redact.URL(c.DatabaseURL),
		"redis_url", redact.URL(redis),
		"allow_private_targets", c.AllowPrivateTargets,
		"log_level", c.LogLevel.String(),
		"log_format", c.LogFormat,
		"body_limit", c.BodyLimit,
		"shutdown_timeout", c.ShutdownTimeout.String(),
		"concurrency", c.Concurrency,
		"retry_schedule", c.RetrySchedule.String(),
		"event_retention", c.EventRetention.String(),
		"api_rate_limit", c.APIRateLimit,
		"no_worker", c.NoWorker,
		"smtp_url", mailTarget(c.SMTPURL, c.MailDir),
		"mail_from", c.MailFrom.String(),
		"portal_url", c.PortalURL,
		"evidence_key", maskKey(c.EvidenceKey),
	}
}

// mailTarget is where mail goes, for the start-up line: the SMTP URL with
// its password masked, or the directory of .eml files.
func mailTarget(smtpURL, dir string) string {
	if smtpURL == "" {
		return "(none: .eml files in " + dir + ")"
	}
	return redact.URL(smtpURL)
}

// newLogger returns the process logger for the configured level and format.
func (c config) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
