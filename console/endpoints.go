package console

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func (c *Console) endpointRoutes() {
	c.mux.Handle("GET /console/endpoints", c.page(c.endpoints))
	c.mux.Handle("GET /console/endpoints/new", c.page(c.newEndpoint))
	c.mux.Handle("POST /console/endpoints", c.action(c.createEndpoint))
	c.mux.Handle("GET /console/endpoints/{id}", c.page(c.endpointPage))
	c.mux.Handle("POST /console/endpoints/{id}", c.action(c.updateEndpoint))
	c.mux.Handle("POST /console/endpoints/{id}/rotate", c.action(c.rotateSecret))
	c.mux.Handle("POST /console/endpoints/{id}/test", c.action(c.testEndpoint))
	c.mux.Handle("POST /console/endpoints/{id}/delete", c.action(c.deleteEndpoint))
}

// endpointRow is an endpoint with its latency sparkline.
type endpointRow struct {
	endpoint
	Spark string
}

func (c *Console) endpoints(k *call) error {
	var l list[endpoint]
	if err := k.api("GET", "/v1/webhooks/endpoints", nil, nil, &l); err != nil {
		return err
	}
	rows := make([]endpointRow, len(l.Data))
	for i, e := range l.Data {
		lat := make([]float64, 0, len(e.Health.LastAttempts))
		for j := len(e.Health.LastAttempts) - 1; j >= 0; j-- { // oldest first
			lat = append(lat, e.Health.LastAttempts[j].LatencyMS)
		}
		rows[i] = endpointRow{endpoint: e, Spark: sparkline(lat, 80, 20)}
	}
	k.render(200, "endpoints", "Endpoints", rows)
	return nil
}

// endpointForm is the create and edit form.
type endpointForm struct {
	Endpoint endpoint
	Catalog  []eventType
	// Extra are the subscriptions that are not an exact catalogue type
	// (wildcards), one per line.
	Extra, Headers, Message string
	New                     bool
}

func (k *call) catalog() ([]eventType, error) {
	var l list[eventType]
	if err := k.api("GET", "/v1/event-types", nil, nil, &l); err != nil {
		return nil, err
	}
	return l.Data, nil
}

func (c *Console) newEndpoint(k *call) error {
	cat, err := k.catalog()
	if err != nil {
		return err
	}
	k.render(200, "endpoint_form", "New endpoint", endpointForm{Catalog: cat, New: true,
		Endpoint: endpoint{Enabled: true, TimeoutSeconds: 15}})
	return nil
}

// endpointBody reads the form into the API's request body.
func endpointBody(f url.Values, catalog []eventType) (map[string]any, endpointForm) {
	types := append([]string{}, f["event_types"]...)
	for _, line := range strings.FieldsFunc(f.Get("extra_types"), func(r rune) bool { return r == '\n' || r == ',' }) {
		if t := strings.TrimSpace(line); t != "" {
			types = append(types, t)
		}
	}
	headers := map[string]string{}
	for _, line := range strings.Split(f.Get("headers"), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) != "" {
			headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
	}
	body := map[string]any{"url": strings.TrimSpace(f.Get("url")), "description": f.Get("description"),
		"event_types": types, "headers": headers, "enabled": f.Get("enabled") == "on"}
	if v := strings.TrimSpace(f.Get("rate_limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			body["rate_limit"] = v // the API names the field
		} else {
			body["rate_limit"] = n
		}
	} else {
		body["rate_limit"] = nil
	}
	if v := strings.TrimSpace(f.Get("timeout_seconds")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			body["timeout_seconds"] = v
		} else {
			body["timeout_seconds"] = n
		}
	}
	if scheme := f.Get("signature_scheme"); scheme != "" { // only the new-endpoint form has it: a scheme changes by rotation
		body["signature_scheme"] = scheme
	}
	form := endpointForm{Catalog: catalog, Extra: f.Get("extra_types"), Headers: f.Get("headers"),
		Endpoint: endpoint{URL: f.Get("url"), Description: f.Get("description"), EventTypes: types,
			Enabled: f.Get("enabled") == "on", Headers: headers, SignatureScheme: f.Get("signature_scheme")}}
	return body, form
}

func (c *Console) createEndpoint(k *call) error {
	cat, err := k.catalog()
	if err != nil {
		return err
	}
	body, form := endpointBody(k.r.PostForm, cat)
	var e endpoint
	if err := k.api("POST", "/v1/webhooks/endpoints", nil, body, &e); err != nil {
		msg, err := formError(err)
		if err != nil {
			return err
		}
		form.Message, form.New = msg, true
		k.render(422, "endpoint_form", "New endpoint", form)
		return nil
	}
	k.render(201, "secret", "Endpoint created", secretData{What: "endpoint " + e.URL, Secret: e.Secret,
		PublicKey: e.PublicKey, Back: "/console/endpoints/" + e.ID})
	return nil
}

// secretData is a secret shown once, or an ed25519 endpoint's public key
// (the API never answers its signing key).
type secretData struct{ What, Secret, PublicKey, Back string }

func (c *Console) endpointPage(k *call) error {
	id := k.r.PathValue("id")
	var e endpoint
	if err := k.api("GET", "/v1/webhooks/endpoints/"+url.PathEscape(id), nil, nil, &e); err != nil {
		return err
	}
	cat, err := k.catalog()
	if err != nil {
		return err
	}
	k.render(200, "endpoint_form", e.URL, editForm(e, cat))
	return nil
}

// editForm fills the form from an endpoint.
func editForm(e endpoint, cat []eventType) endpointForm {
	f := endpointForm{Endpoint: e, Catalog: cat}
	known := map[string]bool{}
	for _, t := range cat {
		known[t.Type] = true
	}
	var extra, headers []string
	for _, t := range e.EventTypes {
		if !known[t] {
			extra = append(extra, t)
		}
	}
	for name, v := range e.Headers {
		headers = append(headers, name+": "+v)
	}
	sort.Strings(headers)
	f.Extra, f.Headers = strings.Join(extra, "\n"), strings.Join(headers, "\n")
	return f
}

func (c *Console) updateEndpoint(k *call) error {
	id := k.r.PathValue("id")
	cat, err := k.catalog()
	if err != nil {
		return err
	}
	body, form := endpointBody(k.r.PostForm, cat)
	if err := k.api("PATCH", "/v1/webhooks/endpoints/"+url.PathEscape(id), nil, body, nil); err != nil {
		msg, err := formError(err)
		if err != nil {
			return err
		}
		form.Message, form.Endpoint.ID = msg, id
		k.render(422, "endpoint_form", "Edit endpoint", form)
		return nil
	}
	k.redirect("/console/endpoints/" + url.PathEscape(id))
	return nil
}

func (c *Console) rotateSecret(k *call) error {
	id := k.r.PathValue("id")
	var s struct {
		Secret    string `json:"secret"`
		PublicKey string `json:"public_key"`
	}
	body := map[string]any{}
	if scheme := k.r.PostForm.Get("signature_scheme"); scheme != "" { // empty keeps the endpoint's scheme
		body["signature_scheme"] = scheme
	}
	if err := k.api("POST", "/v1/webhooks/endpoints/"+url.PathEscape(id)+"/secret/rotate", nil, body, &s); err != nil {
		return err
	}
	k.render(200, "secret", "Secret rotated", secretData{What: "endpoint " + id + " (the previous one keeps signing for 24 hours)",
		Secret: s.Secret, PublicKey: s.PublicKey, Back: "/console/endpoints/" + id})
	return nil
}

func (c *Console) testEndpoint(k *call) error {
	id := k.r.PathValue("id")
	if err := k.api("POST", "/v1/webhooks/endpoints/"+url.PathEscape(id)+"/test", nil, map[string]any{}, nil); err != nil {
		return err
	}
	k.redirect("/console/deliveries?" + url.Values{"endpoint_id": {id}, "event_type": {"webhook.test"}}.Encode())
	return nil
}

func (c *Console) deleteEndpoint(k *call) error {
	if err := k.api("DELETE", "/v1/webhooks/endpoints/"+url.PathEscape(k.r.PathValue("id")), nil, nil, nil); err != nil {
		return err
	}
	k.redirect("/console/endpoints")
	return nil
}
