package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// pageSet holds one template per page, each parsed with the layout.
type pageSet map[string]*template.Template

var funcs = template.FuncMap{
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04:05")
		case *time.Time:
			if v == nil || v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04:05")
		}
		return "—"
	},
	"pretty": prettyJSON,
	"deref": func(p any) any {
		switch v := p.(type) {
		case *int:
			if v == nil {
				return "—"
			}
			return *v
		case *string:
			if v == nil {
				return "—"
			}
			return *v
		case *float64:
			if v == nil {
				return "—"
			}
			return *v
		}
		return p
	},
	"ms": func(v float64) string {
		if v < 10 {
			return fmt.Sprintf("%.1f ms", v)
		}
		return fmt.Sprintf("%.0f ms", v)
	},
	"percent": func(v *float64) string { return fmtPercent(v) },
	"join":    strings.Join,
	"has": func(list []string, v string) bool {
		for _, s := range list {
			if s == v {
				return true
			}
		}
		return false
	},
}

func fmtPercent(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", *v*100)
}

// prettyJSON indents a JSON document for display; html/template escapes it.
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "null"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func parsePages() pageSet {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	ps := pageSet{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		ps[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", n))
	}
	return ps
}

// navItem is one entry of the navigation.
type navItem struct {
	Name, Href string
	Active     bool
}

// navigation lists the pages the key's role may read: the API refuses the
// others anyway, the console does not offer them.
var navigation = []struct{ name, href, perm string }{
	{"Overview", "/console/overview", "webhooks"},
	{"Endpoints", "/console/endpoints", "webhooks"},
	{"Events", "/console/events", "webhooks"},
	{"Deliveries", "/console/deliveries", "webhooks"},
	{"Replays", "/console/replays", "webhooks"},
	{"Processes", "/console/processes", "processes"},
	{"Event types", "/console/event-types", ""},
	{"API keys", "/console/api-keys", "keys"},
	{"Usage", "/console/usage", "webhooks"},
}

// view is what the layout renders around a page.
type view struct {
	Title    string
	Nav      []navItem
	Identity Identity
	CSRF     string
	Data     any
}

// render writes page name with data, in the layout.
func (k *call) render(status int, name, title string, data any) {
	v := view{Title: title, Identity: k.s.identity, CSRF: k.s.csrf, Data: data}
	for _, n := range navigation {
		if n.perm == "" || k.s.identity.Can(n.perm) {
			v.Nav = append(v.Nav, navItem{Name: n.name, Href: n.href,
				Active: k.r.URL.Path == n.href || strings.HasPrefix(k.r.URL.Path, n.href+"/")})
		}
	}
	k.c.write(k.w, status, name, v)
	k.done = true
}

func (c *Console) write(w http.ResponseWriter, status int, name string, v view) {
	t, ok := c.pages[name]
	if !ok {
		panic("console: no page " + name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		c.log.Error("console template failed", "page", name, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
