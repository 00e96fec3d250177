package api

import (
	"context"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// ContactStore is what the API needs of contact storage.
type ContactStore interface {
	CreateContact(ctx context.Context, actor countersign.Actor, c workflow.Contact) (workflow.Contact, error)
	GetContact(ctx context.Context, workspaceID, id string) (workflow.Contact, error)
	UpdateContact(ctx context.Context, actor countersign.Actor, user, group string, c workflow.Contact) (workflow.Contact, error)
	DeleteContact(ctx context.Context, actor countersign.Actor, user, group, id string) error
	ListContacts(ctx context.Context, workspaceID string, f workflow.ContactFilter, page workflow.Paging) ([]workflow.Contact, int64, error)
}

// TemplateStore is what the API needs of template storage.
type TemplateStore interface {
	CreateTemplate(ctx context.Context, actor countersign.Actor, t workflow.Template) (workflow.Template, error)
	DeleteTemplate(ctx context.Context, actor countersign.Actor, user, group, id string) error
	ListTemplates(ctx context.Context, workspaceID string, f workflow.TemplateFilter, page workflow.Paging) ([]workflow.Template, int64, error)
}

// DocumentStore is what the API needs of document profile and attribute storage.
type DocumentStore interface {
	CreateDocumentProfile(ctx context.Context, actor countersign.Actor, p workflow.DocumentProfile) (workflow.DocumentProfile, error)
	GetDocumentProfile(ctx context.Context, workspaceID, id string) (workflow.DocumentProfile, error)
	GetDocumentProfileByName(ctx context.Context, workspaceID, name string) (workflow.DocumentProfile, error)
	UpdateDocumentProfile(ctx context.Context, actor countersign.Actor, id string, p workflow.DocumentProfile) (workflow.DocumentProfile, error)
	DeleteDocumentProfile(ctx context.Context, actor countersign.Actor, id string) error
	ListDocumentProfiles(ctx context.Context, workspaceID, group string) ([]workflow.DocumentProfile, error)

	CreateDocumentAttribute(ctx context.Context, actor countersign.Actor, a workflow.DocumentAttribute) (workflow.DocumentAttribute, error)
	GetDocumentAttribute(ctx context.Context, workspaceID, id string) (workflow.DocumentAttribute, error)
	UpdateDocumentAttribute(ctx context.Context, actor countersign.Actor, id string, a workflow.DocumentAttribute) (workflow.DocumentAttribute, error)
	DeleteDocumentAttribute(ctx context.Context, actor countersign.Actor, id string) error
	ListDocumentAttributes(ctx context.Context, workspaceID string) ([]workflow.DocumentAttribute, error)
}

// AuditStore is what the API needs of the audit trail's storage.
type AuditStore interface {
	CreateAuditEvent(ctx context.Context, actor countersign.Actor, rec workflow.AuditRecord) (workflow.AuditRecord, error)
	ListAuditEvents(ctx context.Context, workspaceID string, f workflow.AuditFilter, page workflow.Paging) ([]workflow.AuditRecord, int64, error)
}

// ResourceStore is the storage of the process resources: contacts,
// templates, document profiles and attributes, and the audit trail.
type ResourceStore interface {
	ContactStore
	TemplateStore
	DocumentStore
	AuditStore
}

// AuditRecorder takes the audit records of API operations. It must not block
// for long: it is called before the answer is complete (storage.AuditWriter
// queues and writes in batches).
type AuditRecorder interface {
	Record(rec workflow.AuditRecord)
}

// resourceRoutes registers the process resources' routes and the audit trail.
func (s *Server) resourceRoutes() {
	s.contactRoutes()
	s.templateRoutes()
	s.profileRoutes()
	s.attributeRoutes()
	s.testEmailRoutes()
	s.auditingRoutes()
}
