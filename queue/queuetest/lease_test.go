package queuetest

import (
	"context"
	"strings"
	"testing"
)

// TestURLLeasesDistinctDatabases holds two leases at once and checks that
// they are different databases, each marked leased in database 0. (Whether a
// mark is gone after its test cannot be checked: another package's test may
// lease the number at once.)
func TestURLLeasesDistinctDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := URL(t), URL(t)
	if a == b {
		t.Fatalf("two leases of one database: %s", a)
	}
	for _, u := range []string{a, b} {
		if err := Client(t, u).Set(ctx, "k", u, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if v := Client(t, a).Get(ctx, "k").Val(); v != a {
		t.Errorf("database %s holds %q: the leases share a database", a, v)
	}
	locks := Client(t, "redis://"+Addr()+"/0")
	for _, u := range []string{a, b} {
		db := u[strings.LastIndex(u, "/")+1:]
		if locks.Exists(ctx, leaseKeyPrefix+db).Val() != 1 {
			t.Errorf("%s is in use but not marked leased", u)
		}
	}
}
