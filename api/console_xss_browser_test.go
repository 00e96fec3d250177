package api_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/countersign/countersign/api"
)

// TestConsoleBrowserRendersOutsideValuesAsText puts markup in an endpoint's
// description, a process's document and signer names, and so in event
// payloads, and checks in the browser that every page shows it as text: no
// element of it exists and no script of it runs.
func TestConsoleBrowserRendersOutsideValuesAsText(t *testing.T) {
	const script = `<script>window.__xss=1</script>`
	const img = `"><img src=x onerror="window.__xss=2">`
	ctx := newChromium(t)
	cs := newConsoleServer(t, api.Deps{})
	res := cs.do("POST", "/v1/webhooks/endpoints", cs.owner, map[string]any{"url": "http://127.0.0.1:9/hook?q=" + "%22%3E%3Cimg",
		"event_types": []string{"*"}, "description": script + img, "headers": map[string]string{"X-Note": img}})
	if res.Status != 201 {
		t.Fatalf("endpoint: %d %s", res.Status, res.Body)
	}
	endpointID := res.JSON(t)["id"].(string)
	_, processID := seedProcess(t, cs.harness, func(m map[string]any) {
		m["documentName"] = script + img
		m["initiatorName"] = img
		steps := m["signingProcessSteps"].([]any)
		signer := steps[0].(map[string]any)["processStepSigners"].([]any)[0].(map[string]any)
		signer["signerName"] = script + img
	})
	eventID := cs.do("GET", "/v1/events?type=transaction.lifecycle.created&limit=1", cs.owner, nil).JSON(t)["data"].([]any)[0].(map[string]any)["id"].(string)

	b := &tab{t: t, ctx: ctx, base: cs.url}
	b.open("/console/sign-in")
	b.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="api_key"]`), cs.owner),
		chromedp.Submit(chromedp.CSS(`input[name="api_key"]`)), chromedp.WaitVisible(chromedp.CSS(`header nav`)))

	pages := map[string]bool{ // path: shows the value as written (not JSON-escaped)
		"/console/endpoints": true, "/console/endpoints/" + endpointID: false, "/console/processes": true,
		"/console/processes/" + processID: true, "/console/events/" + eventID: false, "/console/overview": false,
		"/console/events": false, "/console/deliveries": false,
	}
	for path, literal := range pages {
		b.open(path)
		b.do(path, chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if b.eval(`window.__xss !== undefined`) {
			t.Errorf("%s: an injected script ran", path)
		}
		if b.eval(`document.querySelector('img[src="x"]') !== null`) {
			t.Errorf("%s: an injected img element exists", path)
		}
		if b.eval(`document.scripts.length !== 1 || !document.scripts[0].src.endsWith("/console/static/console.js")`) {
			t.Errorf("%s: a script element besides the console's", path)
		}
		if literal && !b.eval(`document.body.innerText.includes(`+jsString(script)+`)`) {
			t.Errorf("%s: the value is not shown as text", path)
		}
	}
	// The endpoint form keeps the value in its input, as text.
	b.open("/console/endpoints/" + endpointID)
	got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="description"]`)))
	if err != nil || got != script+img {
		t.Fatalf("description input holds %q (%v)", got, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "`" + strings.NewReplacer("`", "\\`", "\\", "\\\\", "$", "\\$").Replace(s) + "`"
}
