package queue

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
)

// Topology is how a Redis deployment is laid out.
type Topology string

// The topologies a Redis URL can name.
const (
	// Standalone is one server (perhaps behind a proxy): redis:// or rediss://.
	Standalone Topology = "standalone"
	// Sentinel is a primary with replicas watched by Sentinel, which names the
	// current primary: redis-sentinel:// or rediss-sentinel://.
	Sentinel Topology = "sentinel"
	// Cluster is Redis Cluster, keys sharded over several primaries:
	// redis-cluster:// or rediss-cluster://.
	Cluster Topology = "cluster"
)

// RedisURL is a parsed Redis URL:
//
//	redis://[[user]:pass@]host:port[/db]
//	redis-sentinel://[[user]:pass@]host:port[,host:port…][/db]?master=NAME[&sentinel_password=…]
//	redis-cluster://[[user]:pass@]host:port[,host:port…]
//
// A scheme starting with rediss uses TLS. Cluster addresses are seed nodes:
// the client learns the rest of the cluster from them.
type RedisURL struct {
	Topology Topology
	// Addrs are the server, the Sentinels or the cluster seed nodes.
	Addrs              []string
	Username, Password string
	// SentinelPassword authenticates to the Sentinels themselves.
	SentinelPassword string
	DB               int
	// Master is the Sentinel name of the primary.
	Master string
	TLS    bool
}

// ParseRedisURL parses raw (see RedisURL for the forms). Errors say what is
// wrong without repeating the URL, which may hold a password.
func ParseRedisURL(raw string) (RedisURL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return RedisURL{}, errors.New("not a URL (IPv6 addresses in a list of hosts are not supported; use host names)")
	}
	var r RedisURL
	scheme := u.Scheme
	if strings.HasPrefix(scheme, "rediss") {
		r.TLS, scheme = true, "redis"+strings.TrimPrefix(scheme, "rediss")
	}
	switch scheme {
	case "redis":
		r.Topology = Standalone
	case "redis-sentinel":
		r.Topology = Sentinel
	case "redis-cluster":
		r.Topology = Cluster
	default:
		return RedisURL{}, fmt.Errorf("scheme %q: want redis://, redis-sentinel:// or redis-cluster:// (rediss… for TLS)", u.Scheme)
	}
	if u.User != nil {
		r.Username = u.User.Username()
		r.Password, _ = u.User.Password()
	}
	if u.Host == "" {
		return RedisURL{}, errors.New("no host: want HOST:PORT")
	}
	for _, a := range strings.Split(u.Host, ",") {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			return RedisURL{}, fmt.Errorf("address %q: want HOST:PORT", a)
		}
		r.Addrs = append(r.Addrs, a)
	}
	if r.Topology == Standalone && len(r.Addrs) > 1 {
		return RedisURL{}, errors.New("several hosts: use redis-sentinel:// or redis-cluster:// for more than one")
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if r.DB, err = strconv.Atoi(db); err != nil || r.DB < 0 {
			return RedisURL{}, fmt.Errorf("database %q: want a number (redis://host:port/0)", db)
		}
		if r.Topology == Cluster && r.DB != 0 {
			return RedisURL{}, errors.New("a Redis Cluster has only database 0")
		}
	}
	q := u.Query()
	r.Master, r.SentinelPassword = q.Get("master"), q.Get("sentinel_password")
	if r.Topology == Sentinel && r.Master == "" {
		return RedisURL{}, errors.New("no master name: want redis-sentinel://host:26379/0?master=NAME")
	}
	for k := range q {
		if k != "master" && k != "sentinel_password" {
			return RedisURL{}, fmt.Errorf("unknown parameter %q: want master or sentinel_password", k)
		}
	}
	if r.Topology != Sentinel && len(q) > 0 {
		return RedisURL{}, errors.New("master and sentinel_password are for redis-sentinel:// only")
	}
	return r, nil
}

// ConnOpt is how asynq (and the product's own client) connects.
func (r RedisURL) ConnOpt() asynq.RedisConnOpt {
	var tc *tls.Config
	if r.TLS {
		// No ServerName: the TLS dial takes it from each address it connects to.
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	switch r.Topology {
	case Sentinel:
		return asynq.RedisFailoverClientOpt{MasterName: r.Master, SentinelAddrs: r.Addrs, SentinelPassword: r.SentinelPassword,
			Username: r.Username, Password: r.Password, DB: r.DB, TLSConfig: tc}
	case Cluster:
		return asynq.RedisClusterClientOpt{Addrs: r.Addrs, Username: r.Username, Password: r.Password, TLSConfig: tc}
	}
	return asynq.RedisClientOpt{Addr: r.Addrs[0], Username: r.Username, Password: r.Password, DB: r.DB, TLSConfig: tc}
}
