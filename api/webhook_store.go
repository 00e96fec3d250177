package api

import (
	"context"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// WebhookStore is what the webhook routes need of storage.
type WebhookStore interface {
	CreateEndpoint(ctx context.Context, actor countersign.Actor, in webhook.EndpointInput) (webhook.Endpoint, error)
	UpdateEndpoint(ctx context.Context, actor countersign.Actor, id string, in webhook.EndpointInput) (webhook.Endpoint, error)
	RotateEndpointSecret(ctx context.Context, actor countersign.Actor, id string, grace time.Duration) (webhook.Endpoint, error)
	DeleteEndpoint(ctx context.Context, actor countersign.Actor, id string) error
	GetEndpoint(ctx context.Context, workspaceID, id string) (webhook.Endpoint, error)
	ListEndpoints(ctx context.Context, workspaceID string) ([]webhook.Endpoint, error)
	ListDeliveries(ctx context.Context, workspaceID string, f webhook.DeliveryFilter, startingAfter string, limit int) ([]webhook.Delivery, bool, error)
	GetDelivery(ctx context.Context, workspaceID, id string) (webhook.Delivery, []webhook.Attempt, error)
}

// Dispatcher takes new delivery tasks to the queue without blocking.
type Dispatcher interface {
	Dispatch(tasks []webhook.Task)
}
