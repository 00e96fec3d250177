package verify_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/countersign/countersign/webhook/verify"
)

// A receiver's handler: read the body, verify it as received, then parse it.
func Example() {
	// The endpoint's secret, as Countersign showed it at registration.
	v, err := verify.New("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	// A real receiver keeps the system clock; the example pins it to the delivery's time.
	v = v.With(verify.WithNow(func() time.Time { return time.Unix(1767225600, 0) }))

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := v.Verify(r.Header, body); err != nil {
			http.Error(w, "invalid signature", http.StatusBadRequest)
			return
		}
		// Deduplicate on r.Header.Get("webhook-id"), then handle the event.
		w.WriteHeader(http.StatusNoContent)
	})

	body := `{"type":"transaction.lifecycle.completed"}`
	for _, sig := range []string{
		"v1,lsxtzi2GKNH23toRV0L9lil84swZZIe1xOU6Wo5+D2g=",
		"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	} {
		r := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(body))
		r.Header.Set("webhook-id", "msg_2mJ7Pq9Xw1yZ")
		r.Header.Set("webhook-timestamp", "1767225600")
		r.Header.Set("webhook-signature", sig)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 204
	// 400
}
