package workflow

import (
	"net/netip"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// AuditRecord is one entry of the audit trail (an auditing event). The
// service writes one for every audited API operation; clients add their own
// with createAuditingEvent. ID and CreatedAt are the service's; APIKeyID, the
// key of the request that wrote the record, is Countersign's addition.
type AuditRecord struct {
	ID                   string    `json:"id"`
	CreatedAt            time.Time `json:"createdAt"`
	EventType            AuditType `json:"eventType"`
	EventOrigin          string    `json:"eventOrigin"`
	Creator              string    `json:"creator"`
	DocumentID           string    `json:"documentId"`
	SignerID             string    `json:"signerId"`
	CustomerPersonalCode string    `json:"customerPersonalCode"`
	Note                 string    `json:"note"`
	ProcessID            string    `json:"processId"`
	IPAddress            string    `json:"ipAddress"`
	ContainerID          string    `json:"containerId"`
	Method               string    `json:"method"`
	ClientAppName        string    `json:"clientAppName"`
	APIKeyID             string    `json:"apiKeyId"`
	// WorkspaceID is the tenant the record belongs to; it is never shown.
	WorkspaceID string `json:"-"`
}

// Audit origins: where a record came from.
const (
	// OriginAPI marks the records the service writes for API operations.
	OriginAPI = "api"
	// OriginClient marks the records clients write with createAuditingEvent.
	OriginClient = "client"
)

// ClientRecordMethod is the method of every record written by createAuditingEvent.
const ClientRecordMethod = "POST createAuditingEvent"

// FromClient returns r as the record a client writes with a's key. The fields
// that tell who wrote a record are the service's: eventOrigin is "client",
// method is ClientRecordMethod, creator and apiKeyId are the calling key,
// whatever the body said, so a client's record can never pass for one the
// service wrote about an API operation (origin "api") or for another key's.
// id and createdAt are the storage's. The client describes what happened:
// eventType, processId, documentId, signerId, customerPersonalCode,
// containerId and note, and ipAddress and clientAppName (the end user's
// address and application, as the client saw them; the caller's when absent).
func (r AuditRecord) FromClient(a countersign.Actor) AuditRecord {
	r.WorkspaceID, r.EventOrigin, r.Method = a.WorkspaceID, OriginClient, ClientRecordMethod
	r.Creator, r.APIKeyID = a.APIKeyID, a.APIKeyID
	if r.IPAddress == "" {
		r.IPAddress = a.IP
	}
	if r.ClientAppName == "" {
		r.ClientAppName = a.ClientApp
	}
	return r
}

// Validate checks a record of a createAuditingEvent request: eventType is
// required (EVALIDATION) and one of AuditTypes (EINVALID); ipAddress, when set,
// an IPv4 or IPv6 address; text fields at most 255 characters, note 4000.
func (r *AuditRecord) Validate() error {
	switch {
	case r.EventType == "":
		return countersign.FieldErrorf(countersign.EVALIDATION, "eventType", "is required")
	case !r.EventType.Valid():
		return countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", r.EventType)
	}
	// eventOrigin, creator and method are not checked: FromClient sets them.
	for _, f := range []struct{ name, v string }{
		{"documentId", r.DocumentID},
		{"signerId", r.SignerID}, {"customerPersonalCode", r.CustomerPersonalCode},
		{"processId", r.ProcessID}, {"ipAddress", r.IPAddress}, {"containerId", r.ContainerID},
		{"clientAppName", r.ClientAppName},
	} {
		if err := checkText(f.name, f.v, maxShortText); err != nil {
			return err
		}
	}
	if err := checkText("note", r.Note, maxLongText); err != nil {
		return err
	}
	r.IPAddress = strings.TrimSpace(r.IPAddress)
	if r.IPAddress != "" {
		if _, err := netip.ParseAddr(r.IPAddress); err != nil {
			return countersign.FieldErrorf(countersign.EVALIDATION, "ipAddress", "%q is not an IP address", r.IPAddress)
		}
	}
	return nil
}

// AuditFilter selects the records of listAuditingEvents. Empty fields do not
// filter; CreatedAfter and CreatedBefore bound createdAt, both inclusive.
type AuditFilter struct {
	ProcessID, DocumentID, SignerID string
	EventType                       AuditType
	CreatedAfter, CreatedBefore     *time.Time
}
