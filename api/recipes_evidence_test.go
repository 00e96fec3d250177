package api_test

import (
	"strings"
)

func init() {
	register(map[string]recipe{
		"getEvidencePublicKey": plain("", nil),
		"getProcessEvidence":   plain("", nil),
		"listEvidenceHeads":    plain("limit=5", nil),
		// A bundle keeps the head it was proved against: prove that head
		// consistent with itself.
		"getEvidenceConsistency": func(w *world) call {
			m := w.h.expectJSON(200, "GET", "/v1/processes/"+w.process.ID+"/evidence", w.h.owner, nil)
			size := strings.Split(m["treeHead"].(string), "\n")[1]
			return call{query: "from=" + size + "&to=" + size}
		},
	})
	// Any whole number is a tree size: one without a signed head is not
	// found, and from may not pass to.
	for name, field := range map[string]string{"huge from": "from", "zero from": "from", "huge to": "to", "zero to": "from"} {
		malformedExpect["getEvidenceConsistency/"+name] = struct {
			statuses []int
			field    string
		}{[]int{404, 422}, field}
	}
}
