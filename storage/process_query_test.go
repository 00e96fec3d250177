package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// processListFixture is three processes created a minute apart, P3 by a member key.
type processListFixture struct {
	ws         countersign.Actor
	member     countersign.Actor
	p1, p2, p3 *workflow.Process
}

func newProcessListFixture(t *testing.T, db *storage.DB) processListFixture {
	t.Helper()
	ctx := context.Background()
	advance := processClock(db)
	ws, _ := storagetest.Workspace(t, db, "A")
	key, _, err := db.Keys().CreateAPIKey(ctx, ws, "member", countersign.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	f := processListFixture{ws: ws, member: countersign.Actor{WorkspaceID: ws.WorkspaceID, APIKeyID: key.ID, Role: key.Role}}
	f.p1 = createProcess(t, db, ws, processInput())
	advance(time.Minute)
	in2 := processInput()
	in2.DocumentID, in2.DocumentName, in2.DocumentType, in2.OwnerGroup = "doc-2", "Invoice 42", "INVOICE", "group-b"
	in2.InitiatorName, in2.ProcessInitiatorEmail = "John Smith", "john@corp.lv"
	in2.SigningProcessSteps = []workflow.StepInput{{ProcessStepSigners: []workflow.SignerInput{
		{SignerName: "Maija Ozola", SignerRole: workflow.RoleSigner, SignerCountry: "LV", SignerPersonalCode: "010190-12349"}}}}
	f.p2 = createProcess(t, db, ws, in2)
	advance(time.Minute)
	in3 := processInput()
	in3.DocumentID, in3.DocumentName, in3.DocumentType, in3.InitiatorName, in3.ExpiresAt = "doc-3", "NDA_v2%", "NDA", "Ann", nil
	in3.ProcessInitiatorEmail = ""
	in3.SigningProcessSteps = []workflow.StepInput{{ProcessStepSigners: []workflow.SignerInput{
		{SignerName: "Same Person", SignerRole: workflow.RoleSigner, SignerCountry: "lv", SignerPersonalCode: "16117519997"}}}}
	f.p3 = createProcess(t, db, f.member, in3)
	if _, err := db.Processes().ChangeProcess(ctx, ws, f.p2.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) }); err != nil {
		t.Fatal(err)
	}
	return f
}

// ids returns the ids of a page's processes.
func processIDs(page listed[*workflow.Process]) []string {
	out := []string{}
	for _, p := range page.Content {
		out = append(out, p.ID)
	}
	return out
}

func TestListProcessesFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newProcessListFixture(t, db)
		at := func(d time.Duration) *time.Time { x := pt0.Add(d); return &x }
		p1, p2, p3 := f.p1.ID, f.p2.ID, f.p3.ID
		for _, tc := range []struct {
			name   string
			filter workflow.ProcessFilter
			want   []string // newest first
		}{
			{"none", workflow.ProcessFilter{}, []string{p3, p2, p1}},
			{"status", workflow.ProcessFilter{Status: workflow.ProcessStarted}, []string{p2}},
			{"document name", workflow.ProcessFilter{NameSearch: "LEASE"}, []string{p1}},
			{"initiator name", workflow.ProcessFilter{NameSearch: "john"}, []string{p2}},
			{"signer name", workflow.ProcessFilter{NameSearch: "ozola"}, []string{p2}},
			{"wildcards are literal", workflow.ProcessFilter{NameSearch: "_v2%"}, []string{p3}},
			{"no name", workflow.ProcessFilter{NameSearch: "%"}, []string{p3}},
			{"initiator email", workflow.ProcessFilter{EmailSearch: "corp.LV"}, []string{p2}},
			{"signer email", workflow.ProcessFilter{EmailSearch: "two@"}, []string{p1}},
			{"personal code with hyphen", workflow.ProcessFilter{PersonalCode: "161175-19997"}, []string{p3, p1}},
			{"personal code without hyphen", workflow.ProcessFilter{PersonalCode: "16117519997"}, []string{p3, p1}},
			{"owner group", workflow.ProcessFilter{OwnerGroup: "group-a"}, []string{p3, p1}},
			{"document type", workflow.ProcessFilter{DocumentType: "INVOICE"}, []string{p2}},
			{"document id", workflow.ProcessFilter{DocumentID: "doc-1"}, []string{p1}},
			{"created from", workflow.ProcessFilter{CreatedFrom: at(time.Minute)}, []string{p3, p2}},
			{"created until", workflow.ProcessFilter{CreatedUntil: at(time.Minute)}, []string{p1}},
			{"signer id", workflow.ProcessFilter{SignerID: f.p2.Signers()[0].ID}, []string{p2}},
			{"created by", workflow.ProcessFilter{CreatedBy: f.member.APIKeyID}, []string{p3}},
			{"combined", workflow.ProcessFilter{OwnerGroup: "group-a", NameSearch: "signer"}, []string{p1}},
		} {
			page, err := pageOf(db.Processes().ListProcesses(context.Background(), f.ws.WorkspaceID, tc.filter, workflow.Paging{Size: 20}))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := processIDs(page); !reflect.DeepEqual(got, tc.want) || page.TotalElements != int64(len(tc.want)) {
				t.Errorf("%s: got %v (total %d), want %v", tc.name, got, page.TotalElements, tc.want)
			}
		}
		other, _ := storagetest.Workspace(t, db, "B")
		if page, _ := pageOf(db.Processes().ListProcesses(context.Background(), other.WorkspaceID, workflow.ProcessFilter{}, workflow.Paging{Size: 20})); page.TotalElements != 0 {
			t.Fatalf("another workspace lists %d processes", page.TotalElements)
		}
	})
}

func TestListProcessesPagingAndSorting(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newProcessListFixture(t, db)
		p1, p2, p3 := f.p1.ID, f.p2.ID, f.p3.ID
		for _, tc := range []struct {
			name      string
			page      workflow.Paging
			want      []string
			pages     int
			wantTotal int64
		}{
			{"by name", workflow.Paging{Size: 20, Sort: []workflow.SortOrder{{Field: "document_name"}}}, []string{p2, p1, p3}, 1, 3},
			{"by name desc", workflow.Paging{Size: 20, Sort: []workflow.SortOrder{{Field: "document_name", Desc: true}}}, []string{p3, p1, p2}, 1, 3},
			{"by group then created desc", workflow.Paging{Size: 20, Sort: []workflow.SortOrder{{Field: "owner_group"}, {Field: "created_at", Desc: true}}}, []string{p3, p1, p2}, 1, 3},
			{"expiry, nulls last", workflow.Paging{Size: 20, Sort: []workflow.SortOrder{{Field: "expires_at", Desc: true}, {Field: "created_at"}}}, []string{p1, p2, p3}, 1, 3},
			{"first page", workflow.Paging{Size: 2}, []string{p3, p2}, 2, 3},
			{"second page", workflow.Paging{Page: 1, Size: 2}, []string{p1}, 2, 3},
			{"past the end", workflow.Paging{Page: 5, Size: 2}, []string{}, 2, 3},
		} {
			page, err := pageOf(db.Processes().ListProcesses(context.Background(), f.ws.WorkspaceID, workflow.ProcessFilter{}, tc.page))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := processIDs(page); !reflect.DeepEqual(got, tc.want) || page.TotalElements != tc.wantTotal {
				t.Errorf("%s: got %v %+v", tc.name, got, page)
			}
		}
		_, _, err := db.Processes().ListProcesses(context.Background(), f.ws.WorkspaceID, workflow.ProcessFilter{},
			workflow.Paging{Size: 2, Sort: []workflow.SortOrder{{Field: "body; DROP TABLE processes"}}})
		if countersign.ErrorCode(err) != countersign.EINVALID {
			t.Fatalf("unknown sort column: %v", err)
		}
	})
}

func TestListAssignments(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newProcessListFixture(t, db)
		lv := func(mod func(*workflow.PersonFilter)) workflow.PersonFilter {
			pf := workflow.PersonFilter{PersonalCode: "161175-19997", Country: "LV"}
			if mod != nil {
				mod(&pf)
			}
			return pf
		}
		after := pt0.Add(31 * 24 * time.Hour)
		for _, tc := range []struct {
			name   string
			filter workflow.PersonFilter
			want   []string // process ids, newest first
		}{
			{"both processes", lv(nil), []string{f.p3.ID, f.p1.ID}},
			{"hyphenless code", lv(func(pf *workflow.PersonFilter) { pf.PersonalCode = "16117519997" }), []string{f.p3.ID, f.p1.ID}},
			{"per process", lv(func(pf *workflow.PersonFilter) { pf.PerProcess = true }), []string{f.p3.ID, f.p1.ID}},
			{"name search", lv(func(pf *workflow.PersonFilter) { pf.NameSearch = "lease" }), []string{f.p1.ID}},
			{"non expired", lv(func(pf *workflow.PersonFilter) { pf.NonExpiredAt = &after }), []string{f.p3.ID}},
			{"status", lv(func(pf *workflow.PersonFilter) { pf.Status = workflow.ProcessStarted }), []string{}},
			{"wrong country", lv(func(pf *workflow.PersonFilter) { pf.Country = "LT" }), []string{}},
			{"empty code", lv(func(pf *workflow.PersonFilter) { pf.PersonalCode = "" }), []string{}},
			{"other person", workflow.PersonFilter{PersonalCode: "33309240064", Country: "LT"}, []string{f.p1.ID}},
		} {
			page, err := pageOf(db.Processes().ListAssignments(context.Background(), f.ws.WorkspaceID, tc.filter, workflow.Paging{Size: 20}))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got := []string{}
			for _, a := range page.Content {
				got = append(got, a.Process.ID)
				sg, ok := a.Process.Signer(a.SignerID)
				if !ok || workflow.NormalizePersonalCode(sg.Country, sg.PersonalCode) != workflow.NormalizePersonalCode(tc.filter.Country, tc.filter.PersonalCode) {
					t.Errorf("%s: assignment signer %q is not the person", tc.name, a.SignerID)
				}
			}
			if !reflect.DeepEqual(got, tc.want) || page.TotalElements != int64(len(tc.want)) {
				t.Errorf("%s: got %v (total %d), want %v", tc.name, got, page.TotalElements, tc.want)
			}
		}
	})
}
