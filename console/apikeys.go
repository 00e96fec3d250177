package console

import "net/url"

func (c *Console) apiKeyRoutes() {
	c.mux.Handle("GET /console/api-keys", c.page(c.apiKeys))
	c.mux.Handle("POST /console/api-keys", c.action(c.createAPIKey))
	c.mux.Handle("POST /console/api-keys/{id}/rename", c.action(c.renameAPIKey))
	c.mux.Handle("POST /console/api-keys/{id}/delete", c.action(c.deleteAPIKey))
}

type apiKeysData struct {
	Keys    []apiKey
	Roles   []string
	Message string
}

var roles = []string{"owner", "admin", "integrator", "member"}

func (c *Console) apiKeys(k *call) error { return c.showAPIKeys(k, 200, "") }

func (c *Console) showAPIKeys(k *call, status int, msg string) error {
	var l list[apiKey]
	if err := k.api("GET", "/v1/api-keys", nil, nil, &l); err != nil {
		return err
	}
	k.render(status, "api_keys", "API keys", apiKeysData{Keys: l.Data, Roles: roles, Message: msg})
	return nil
}

func (c *Console) createAPIKey(k *call) error {
	var key apiKey
	body := map[string]any{"name": k.r.PostForm.Get("name"), "role": k.r.PostForm.Get("role")}
	if err := k.api("POST", "/v1/api-keys", nil, body, &key); err != nil {
		msg, err := formError(err)
		if err != nil {
			return err
		}
		return c.showAPIKeys(k, 422, msg)
	}
	k.render(201, "secret", "API key created", secretData{What: "API key " + key.Name + " (" + key.Role + ")",
		Secret: key.Secret, Back: "/console/api-keys"})
	return nil
}

func (c *Console) renameAPIKey(k *call) error {
	id := k.r.PathValue("id")
	if err := k.api("PATCH", "/v1/api-keys/"+url.PathEscape(id), nil, map[string]any{"name": k.r.PostForm.Get("name")}, nil); err != nil {
		msg, err := formError(err)
		if err != nil {
			return err
		}
		return c.showAPIKeys(k, 422, msg)
	}
	k.redirect("/console/api-keys")
	return nil
}

func (c *Console) deleteAPIKey(k *call) error {
	if err := k.api("DELETE", "/v1/api-keys/"+url.PathEscape(k.r.PathValue("id")), nil, nil, nil); err != nil {
		return err
	}
	k.redirect("/console/api-keys")
	return nil
}
