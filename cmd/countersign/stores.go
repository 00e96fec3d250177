package main

import (
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/webhook"
)

// Each storage area implements the interface its consumer declares; the
// wiring is the one place that sees both, so the compiler checks it here.
var (
	_ api.KeyStore          = (*storage.Keys)(nil)
	_ api.WebhookStore      = (*storage.Webhooks)(nil)
	_ api.EventLog          = (*storage.Events)(nil)
	_ api.ResourceStore     = (*storage.Resources)(nil)
	_ api.ProcessStore      = (*storage.Processes)(nil)
	_ api.RegistrationStore = (*storage.Registrations)(nil)
	_ api.Pinger            = (*storage.DB)(nil)

	_ webhook.Store       = (*storage.Webhooks)(nil)
	_ webhook.DueSource   = (*storage.Webhooks)(nil)
	_ webhook.ReplayStore = (*storage.Webhooks)(nil)
)
