package api

import (
	"context"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// WebhookStore is what the webhook routes need of storage.
type WebhookStore interface {
	CreateEndpoint(ctx context.Context, actor countersign.Actor, in webhook.EndpointInput) (webhook.Endpoint, error)
	UpdateEndpoint(ctx context.Context, actor countersign.Actor, id string, in webhook.EndpointInput) (webhook.Endpoint, error)
	RotateEndpointSecret(ctx context.Context, actor countersign.Actor, id string, grace time.Duration, scheme webhook.SignatureScheme) (webhook.Endpoint, error)
	DeleteEndpoint(ctx context.Context, actor countersign.Actor, id string) error
	GetEndpoint(ctx context.Context, workspaceID, id string) (webhook.Endpoint, error)
	ListEndpoints(ctx context.Context, workspaceID string) ([]webhook.Endpoint, error)
	ListDeliveries(ctx context.Context, workspaceID string, f webhook.DeliveryFilter, startingAfter string, limit int) ([]webhook.Delivery, bool, error)
	GetDelivery(ctx context.Context, workspaceID, id string) (webhook.Delivery, []webhook.Attempt, error)
	EndpointHealth(ctx context.Context, workspaceID, id string, since time.Time) (webhook.Health, error)
	SendTestEvent(ctx context.Context, actor countersign.Actor, endpointID string) (events.Event, webhook.Delivery, error)
	// ReplayDelivery and ReplayEvent queue the new deliveries once they are
	// committed, as every new delivery is queued: through the store.
	ReplayDelivery(ctx context.Context, actor countersign.Actor, id string) (webhook.Delivery, error)
	ReplayEvent(ctx context.Context, actor countersign.Actor, eventID, endpointID string) ([]webhook.Delivery, error)
	CountReplay(ctx context.Context, workspaceID string, f webhook.DeliveryFilter) (int, error)
	CreateReplay(ctx context.Context, actor countersign.Actor, f webhook.DeliveryFilter, rate int) (webhook.Replay, error)
	GetReplay(ctx context.Context, workspaceID, id string) (webhook.Replay, error)
	ListReplays(ctx context.Context, workspaceID string, q webhook.ReplayQuery) ([]webhook.Replay, bool, error)
	CancelReplay(ctx context.Context, actor countersign.Actor, id string) (webhook.Replay, error)
}
