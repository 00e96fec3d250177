package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// EventsReport is the events-report object of the consumption report: a
// workspace's consumption over a period, counted from its event log. Every field of the object
// is present; those Countersign has no concept of (seals, reviews, captures,
// timestamps, signature levels) are always 0. docs/events.md says how each
// field is counted.
type EventsReport struct {
	Object                         string      `json:"object"`
	TenantID                       string      `json:"tenant_id"`
	StartedTransactions            int         `json:"started_transactions"`
	CompletedTransactions          int         `json:"completed_transactions"`
	CancelledTransactions          int         `json:"cancelled_transactions"`
	ExpiredTransactions            int         `json:"expired_transactions"`
	Visas                          int         `json:"visas"`
	ReadDocuments                  int         `json:"read_documents"`
	Seals                          int         `json:"seals"`
	SealedDocuments                int         `json:"sealed_documents"`
	Reviews                        int         `json:"reviews"`
	Captures                       int         `json:"captures"`
	Signatures                     int         `json:"signatures"`
	SignedDocuments                int         `json:"signed_documents"`
	SignaturesByRequiredLevel      LevelCounts `json:"signatures_by_required_level"`
	SignedDocumentsByRequiredLevel LevelCounts `json:"signed_documents_by_required_level"`
	TransactionsByMaxLevel         LevelCounts `json:"transactions_by_max_level"`
	Timestamps                     int         `json:"timestamps"`
	StandaloneSeals                int         `json:"standalone_seals"`
	PVIDIdentitiesAnalysed         int         `json:"pvid_identities_analysed"`
	PVIDIdentitiesValidated        int         `json:"pvid_identities_validated"`
	PVIDIdentitiesRejected         int         `json:"pvid_identities_rejected"`
	CertificateCreationWithPVID    int         `json:"certificate_creation_with_pvid"`
	WebIdentitiesAnalysed          int         `json:"web_identities_analysed"`
	WebIdentitiesValidated         int         `json:"web_identities_validated"`
	WebIdentitiesRejected          int         `json:"web_identities_rejected"`
	CertificateCreationWithWeb     int         `json:"certificate_creation_with_web"`
}

// LevelCounts counts by signature levels 0 to 4. Countersign's
// signatures carry no level, so every count is 0.
type LevelCounts struct {
	Level0 int `json:"level_0"`
	Level1 int `json:"level_1"`
	Level2 int `json:"level_2"`
	Level3 int `json:"level_3"`
	Level4 int `json:"level_4"`
}

// ObjectEventsReport is the value of EventsReport.Object.
const ObjectEventsReport = "events-report"

// consumptionParams documents the report's period.
var consumptionParams = []Param{
	{Name: "created_gt", Type: "date-time", Required: true, Description: "Count events created strictly after this RFC 3339 time."},
	{Name: "created_lt", Type: "date-time", Required: true, Description: "Count events created strictly before this RFC 3339 time; later than created_gt."},
}

// consumptionRoutes registers the report and its deprecated alias.
func (s *Server) consumptionRoutes() {
	perm := countersign.PermManageWebhooks
	s.handle(Operation{ID: "getConsumptionSummary", Method: http.MethodGet, Path: "/v1/consumptions/summary",
		Tag: "consumptions", Perm: perm, Summary: "The workspace's consumption report over a period (events-report)",
		Response: EventsReport{}, Query: consumptionParams}, s.getConsumptionSummary)
	s.handle(Operation{ID: "getEventsReport", Method: http.MethodGet, Path: "/v1/events/report",
		Tag: "events", Perm: perm, Deprecated: true,
		Summary:  "Deprecated alias of getConsumptionSummary (GET /v1/consumptions/summary)",
		Response: EventsReport{}, Query: consumptionParams}, s.getEventsReport)
}

func (s *Server) getConsumptionSummary(c *fiber.Ctx) error {
	after, err := requiredTime(c, "created_gt")
	if err != nil {
		return err
	}
	before, err := requiredTime(c, "created_lt")
	if err != nil {
		return err
	}
	if !after.Before(before) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "created_lt", "created_lt must be later than created_gt")
	}
	workspaceID := actor(c).WorkspaceID
	n, err := s.deps.Events.Consumption(c.UserContext(), workspaceID, after, before)
	if err != nil {
		return err
	}
	return c.JSON(eventsReport(workspaceID, n))
}

// getEventsReport answers like getConsumptionSummary and says it is deprecated.
func (s *Server) getEventsReport(c *fiber.Ctx) error {
	c.Set("Deprecation", "true")
	c.Set(fiber.HeaderLink, `</v1/consumptions/summary>; rel="successor-version"`)
	return s.getConsumptionSummary(c)
}

// requiredTime reads a required RFC 3339 time parameter.
func requiredTime(c *fiber.Ctx, name string) (time.Time, error) {
	t, err := queryTime(c, name)
	if err == nil && t.IsZero() {
		err = countersign.FieldErrorf(countersign.EINVALID, name, "%s is required: an RFC 3339 date-time such as 2025-06-01T00:00:00Z", name)
	}
	return t, err
}

func eventsReport(workspaceID string, n events.Consumption) EventsReport {
	pvid, web := n.Identities[events.MethodPVID], n.Identities[events.MethodWeb]
	return EventsReport{
		Object: ObjectEventsReport, TenantID: workspaceID,
		StartedTransactions: n.StartedTransactions, CompletedTransactions: n.CompletedTransactions,
		CancelledTransactions: n.CancelledTransactions, ExpiredTransactions: n.ExpiredTransactions,
		Visas: n.Visas, ReadDocuments: n.ReadDocuments, Signatures: n.Signatures, SignedDocuments: n.SignedDocuments,
		PVIDIdentitiesAnalysed: pvid.Analysed, PVIDIdentitiesValidated: pvid.Validated, PVIDIdentitiesRejected: pvid.Rejected,
		CertificateCreationWithPVID: n.Certificates[events.MethodPVID],
		WebIdentitiesAnalysed:       web.Analysed, WebIdentitiesValidated: web.Validated, WebIdentitiesRejected: web.Rejected,
		CertificateCreationWithWeb: n.Certificates[events.MethodWeb],
	}
}
