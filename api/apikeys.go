package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// APIKeyView is an API key as the API shows it. Secret is set only in the
// answer to the request that created the key.
type APIKeyView struct {
	Object     string           `json:"object"`
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Role       countersign.Role `json:"role"`
	Prefix     string           `json:"prefix"`
	CreatedAt  time.Time        `json:"created_at"`
	LastUsedAt *time.Time       `json:"last_used_at"`
	Secret     string           `json:"secret,omitempty"`
}

// APIKeyList is the answer of listAPIKeys.
type APIKeyList struct {
	Object string       `json:"object"`
	Data   []APIKeyView `json:"data"`
}

// CreateAPIKeyRequest is the body of createAPIKey.
type CreateAPIKeyRequest struct {
	Name string           `json:"name"`
	Role countersign.Role `json:"role"`
}

// UpdateAPIKeyRequest is the body of updateAPIKey.
type UpdateAPIKeyRequest struct {
	Name string `json:"name"`
}

func apiKeyView(k countersign.APIKey) APIKeyView {
	return APIKeyView{Object: "api_key", ID: k.ID, Name: k.Name, Role: k.Role, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func (s *Server) apiKeyRoutes() {
	const tag = "api-keys"
	perm := countersign.PermManageKeys
	s.handle(Operation{ID: "createAPIKey", Method: http.MethodPost, Path: "/v1/api-keys", Tag: tag, Perm: perm,
		Summary: "Create an API key; its secret is in this answer only", Request: CreateAPIKeyRequest{}, BodyRequired: []string{"name", "role"},
		Response: APIKeyView{}, Status: http.StatusCreated}, s.createAPIKey)
	s.handle(Operation{ID: "listAPIKeys", Method: http.MethodGet, Path: "/v1/api-keys", Tag: tag, Perm: perm,
		Summary: "List the workspace's API keys", Response: APIKeyList{}}, s.listAPIKeys)
	s.handle(Operation{ID: "getAPIKey", Method: http.MethodGet, Path: "/v1/api-keys/:id", Tag: tag, Perm: perm,
		Summary: "Get one API key", Response: APIKeyView{}}, s.getAPIKey)
	s.handle(Operation{ID: "updateAPIKey", Method: http.MethodPatch, Path: "/v1/api-keys/:id", Tag: tag, Perm: perm,
		Summary: "Rename an API key", Request: UpdateAPIKeyRequest{}, BodyRequired: []string{"name"}, Response: APIKeyView{}}, s.updateAPIKey)
	s.handle(Operation{ID: "deleteAPIKey", Method: http.MethodDelete, Path: "/v1/api-keys/:id", Tag: tag, Perm: perm,
		Summary: "Delete an API key", Status: http.StatusNoContent}, s.deleteAPIKey)
}

func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var req CreateAPIKeyRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if !req.Role.Valid() {
		return countersign.FieldErrorf(countersign.EVALIDATION, "role", "role must be one of owner, admin, integrator, member")
	}
	if err := mayManage(actor(c), req.Role); err != nil {
		return err
	}
	key, token, err := s.deps.Keys.CreateAPIKey(c.UserContext(), actor(c), req.Name, req.Role)
	if err != nil {
		return err
	}
	v := apiKeyView(key)
	v.Secret = token
	return c.Status(http.StatusCreated).JSON(v)
}

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	keys, err := s.deps.Keys.ListAPIKeys(c.UserContext(), actor(c).WorkspaceID)
	if err != nil {
		return err
	}
	list := APIKeyList{Object: "list", Data: make([]APIKeyView, len(keys))}
	for i, k := range keys {
		list.Data[i] = apiKeyView(k)
	}
	return c.JSON(list)
}

func (s *Server) getAPIKey(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixAPIKey)
	if err != nil {
		return err
	}
	key, err := s.deps.Keys.GetAPIKey(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(apiKeyView(key))
}

func (s *Server) updateAPIKey(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixAPIKey)
	if err != nil {
		return err
	}
	var req UpdateAPIKeyRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.mayManageKey(c, id); err != nil {
		return err
	}
	key, err := s.deps.Keys.RenameAPIKey(c.UserContext(), actor(c), id, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(apiKeyView(key))
}

func (s *Server) deleteAPIKey(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixAPIKey)
	if err != nil {
		return err
	}
	if err := s.mayManageKey(c, id); err != nil {
		return err
	}
	if err := s.deps.Keys.DeleteAPIKey(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// mayManageKey refuses changes to a key that outranks the caller's.
func (s *Server) mayManageKey(c *fiber.Ctx, id string) error {
	key, err := s.deps.Keys.GetAPIKey(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return mayManage(actor(c), key.Role)
}

// mayManage refuses to let an admin create or change owner keys: a key cannot
// hand out more than it holds.
func mayManage(a countersign.Actor, target countersign.Role) error {
	if target == countersign.RoleOwner && a.Role != countersign.RoleOwner {
		return countersign.Errorf(countersign.EFORBIDDEN, "only an owner key may create or change owner keys")
	}
	return nil
}

// pathID returns path parameter name, refusing ids that are not ours (400).
func pathID(c *fiber.Ctx, name, prefix string) (string, error) {
	id := c.Params(name)
	if !countersign.ValidID(prefix, id) {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "%s must be a %s_… id", name, prefix)
	}
	return id, nil
}
